import { X509Certificate, createPrivateKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { ValidationError } from '../../lib/errors';
import {
  describeCertificate,
  issueCertificate,
  parseCertificateSecret,
  pemCertificates,
  type CertificateBundle,
  type CertificateDescription,
} from '../../lib/generate';
import { RotationConfigError, certificateSettingsFromEnv, type Environment } from '../config';
import { RotationFailure } from '../errors';
import type { RotationStrategy, RotationValues, StepContext } from '../protocol';

export interface CertificateStrategyOptions {
  /**
   * The secret holding the CA that issues the new certificates (`{ certificate, privateKey,
   * chain }`, PEM): its ARN (what `CA_SECRET_ARN` carries) or name. Read at AWSCURRENT.
   */
  readonly caSecretId: string;
  /** The time certificates are issued at and checked against. @default - the current time */
  readonly clock?: () => Date;
}

const invalid = (message: string, cause?: unknown): RotationFailure =>
  new RotationFailure('INVALID_SECRET', message, cause === undefined ? undefined : { cause });

function certificateSecret(text: string, what: string): CertificateBundle {
  try {
    return parseCertificateSecret(text, what);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw invalid(
      `The ${what} value is not a certificate secret { certificate, privateKey, chain }: ${error.message}`,
    );
  }
}

/** The current leaf, read as what its successor must repeat. */
function currentLeaf(current: CertificateBundle): CertificateDescription {
  let description: CertificateDescription;
  try {
    description = describeCertificate(current.certificate);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw invalid(`The AWSCURRENT certificate cannot be read: ${error.message}`);
  }
  if (description.isCa) {
    throw invalid(
      'The AWSCURRENT certificate is a CA; the certificate strategy rotates leaf certificates only.',
    );
  }
  if (description.keyAlgorithm === undefined) {
    throw invalid(
      'The AWSCURRENT certificate has an RSA key size keystage does not generate; reissue it as ecdsa-p256, ecdsa-p384, rsa-2048 or rsa-3072.',
    );
  }
  return description;
}

function failTest(message: string): never {
  throw new RotationFailure('TEST_FAILED', message);
}

/** Signs random bytes with the key and verifies them with the certificate's public key. */
function keyMatches(certificate: X509Certificate, privateKeyPem: string): boolean {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch {
    failTest('The pending private key is not a readable PEM key.');
  }
  if (!certificate.checkPrivateKey(key)) return false;
  const challenge = randomBytes(32);
  return verify('sha256', challenge, certificate.publicKey, sign('sha256', challenge, key));
}

/**
 * Rotates a leaf certificate stored as `{ certificate, privateKey, chain }` (PEM): createSecret
 * issues a new key and certificate from the CA secret, with the current certificate's subject,
 * SANs, key algorithm, extended key usages and validity length; setSecret has nothing to
 * change outside Secrets Manager (consumers read the secret); testSecret proves, with
 * node:crypto, that the pending certificate chains to the CA, is valid now and matches its
 * key. finishSecret moves AWSCURRENT, so the old certificate stays readable as AWSPREVIOUS.
 * @example
 * export const handler = createRotationHandler(createCertificateStrategy({ caSecretId: process.env.CA_SECRET_ARN! }));
 */
export function createCertificateStrategy(options: CertificateStrategyOptions): RotationStrategy {
  const { caSecretId } = options;
  if (typeof caSecretId !== 'string' || caSecretId.length === 0) {
    throw new RotationConfigError('CA_SECRET_ARN', 'must name the CA secret', 'caSecretArn');
  }
  const now = options.clock ?? (() => new Date());
  const readCa = async ({ secrets }: StepContext): Promise<CertificateBundle> => {
    const text = await secrets.value(caSecretId, { versionStage: 'AWSCURRENT' });
    if (text === undefined) {
      throw invalid(
        `The CA secret ${caSecretId} does not exist or has no AWSCURRENT value; store the CA ({ certificate, privateKey, chain }) there first.`,
      );
    }
    return certificateSecret(text, 'CA secret');
  };
  return {
    name: 'certificate',
    async createValue(currentText: string, context: StepContext): Promise<string> {
      const leaf = currentLeaf(certificateSecret(currentText, 'AWSCURRENT'));
      const ca = await readCa(context);
      try {
        const issued = await issueCertificate(ca, {
          commonName: leaf.commonName,
          ...(leaf.organization === undefined ? {} : { organization: leaf.organization }),
          ...(leaf.organizationalUnit === undefined ? {} : { organizationalUnit: leaf.organizationalUnit }),
          ...(leaf.country === undefined ? {} : { country: leaf.country }),
          sans: leaf.sans,
          keyAlgorithm: leaf.keyAlgorithm,
          validityDays: Math.min(Math.max(leaf.validityDays, 1), 36_500),
          ...(leaf.extendedKeyUsage.length === 0 ? {} : { extendedKeyUsage: leaf.extendedKeyUsage }),
          now: now(),
        });
        return issued.toSecretString();
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        // The generator's messages name the option and never quote a key.
        const source = error.field.startsWith('ca')
          ? `The CA secret ${caSecretId} cannot issue`
          : 'The successor cannot be issued';
        throw invalid(`${source}: ${error.message}`, error);
      }
    },
    async setSecret(_values: RotationValues, context: StepContext): Promise<void> {
      context.log.info(
        'nothing to set outside Secrets Manager: consumers read the certificate from the secret',
      );
    },
    async testSecret(values: RotationValues, context: StepContext): Promise<void> {
      const pending = certificateSecret(values.pending, 'pending');
      const ca = new X509Certificate((await readCa(context)).certificate);
      let leaf: X509Certificate;
      let chain: X509Certificate[];
      try {
        leaf = new X509Certificate(pending.certificate);
        chain = pemCertificates(pending.chain, 'chain');
      } catch {
        failTest('The pending certificate or chain is not readable PEM.');
      }
      const path = [leaf, ...chain];
      for (let i = 1; i < path.length; i++) {
        if (!path[i - 1]!.checkIssued(path[i]!) || !path[i - 1]!.verify(path[i]!.publicKey)) {
          failTest(
            `The pending chain is broken: certificate ${i - 1} is not signed by certificate ${i} of the chain.`,
          );
        }
      }
      if (
        chain.length === 0 ||
        !chain.some((certificate) => certificate.fingerprint256 === ca.fingerprint256)
      ) {
        failTest(`The pending chain does not contain the CA of ${caSecretId}.`);
      }
      const at = now().getTime();
      for (const [what, certificate] of [
        ['certificate', leaf],
        ...chain.map((c, i) => [`chain certificate ${i}`, c] as const),
      ] as const) {
        if (Date.parse(certificate.validFrom) > at || Date.parse(certificate.validTo) <= at) {
          failTest(
            `The pending ${what} is valid from ${certificate.validFrom} to ${certificate.validTo}, not now.`,
          );
        }
      }
      if (!keyMatches(leaf, pending.privateKey)) {
        failTest('The pending private key does not match the pending certificate.');
      }
    },
  };
}

/**
 * The certificate strategy configured from the function's environment: `CA_SECRET_ARN`
 * (required), read by the rotation environment contract that the CDK construct renders with.
 * @example
 * export const handler = createRotationHandler(certificateStrategyFromEnv(process.env));
 */
export function certificateStrategyFromEnv(env: Environment): RotationStrategy {
  return createCertificateStrategy({ caSecretId: certificateSettingsFromEnv(env).caSecretArn });
}
