import { X509Certificate, createPrivateKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { isArn, partialArn } from '../../lib/core';
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
   * chain }`, PEM): its ARN, what `CA_SECRET_ARN` carries. Read at AWSCURRENT. When the
   * rotated secret names its CA too (`caarn`), both must be the same secret, compared as ARNs
   * (a full ARN matches its partial form): the function's role may read only the CA it was
   * granted. A name never matches a `caarn`.
   * @default - the CA the secret's `caarn` names; a secret without one cannot rotate
   */
  readonly caSecretId?: string;
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
      `The ${what} value is not a certificate secret { certificate, privateKey, chain, caarn? }: ${error.message}`,
    );
  }
}

/**
 * True when two secret ARNs name the same secret: equal, or one the partial form of the other
 * (two full ARNs with different suffixes are two secrets: one was deleted and made again).
 */
function sameSecretArn(a: string, b: string): boolean {
  return isArn(a) && isArn(b) && (a === b || partialArn(a) === b || partialArn(b) === a);
}

/**
 * The CA secret to read for `value`: its `caarn` and the configured CA (`CA_SECRET_ARN`), which
 * must agree when both are there; whichever is there otherwise.
 */
function caSecretFor(value: CertificateBundle, what: string, configured: string | undefined): string {
  const { caarn } = value;
  if (caarn === undefined && configured === undefined) {
    throw invalid(
      `The ${what} value has no "caarn" and the function has no CA_SECRET_ARN: name the CA secret in one of them (create stores "caarn" for a leaf issued from a CA secret).`,
    );
  }
  if (caarn === undefined) return configured!;
  if (configured === undefined) return caarn;
  if (!sameSecretArn(caarn, configured)) {
    throw invalid(
      `The ${what} value's "caarn" (${caarn}) is not the CA secret in CA_SECRET_ARN (${configured}): the function may read only the CA it was granted. Make "caarn" and CA_SECRET_ARN name the same secret.`,
    );
  }
  return configured;
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
 * Rotates a leaf certificate stored as `{ certificate, privateKey, chain, caarn? }` (PEM):
 * createSecret issues a new key and certificate from the CA secret (the one `caarn` names,
 * which must be `caSecretId` when that is given too; the new version keeps `caarn`), with the
 * current certificate's subject,
 * SANs, key algorithm, extended key usages and validity length; setSecret has nothing to
 * change outside Secrets Manager (consumers read the secret); testSecret proves, with
 * node:crypto, that the pending certificate chains to the CA, is valid now and matches its
 * key. finishSecret moves AWSCURRENT, so the old certificate stays readable as AWSPREVIOUS.
 * @example
 * export const handler = createRotationHandler(createCertificateStrategy({ caSecretId: process.env.CA_SECRET_ARN }));
 */
export function createCertificateStrategy(options: CertificateStrategyOptions = {}): RotationStrategy {
  const { caSecretId: configured } = options;
  if (configured !== undefined && (typeof configured !== 'string' || configured.length === 0)) {
    throw new RotationConfigError('CA_SECRET_ARN', 'must name the CA secret', 'caSecretArn');
  }
  const now = options.clock ?? (() => new Date());
  const readCa = async ({ secrets }: StepContext, caSecretId: string): Promise<CertificateBundle> => {
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
      const current = certificateSecret(currentText, 'AWSCURRENT');
      const leaf = currentLeaf(current);
      const caSecretId = caSecretFor(current, 'AWSCURRENT', configured);
      const ca = await readCa(context, caSecretId);
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
        return (current.caarn === undefined ? issued : issued.issuedBy(current.caarn)).toSecretString();
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
      const caSecretId = caSecretFor(pending, 'pending', configured);
      const ca = new X509Certificate((await readCa(context, caSecretId)).certificate);
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
 * The certificate strategy configured from the function's environment: `CA_SECRET_ARN` (the
 * CA the function was granted; optional when every secret it rotates names its CA in
 * `caarn`), read by the rotation environment contract that the CDK construct renders with.
 * @example
 * export const handler = createRotationHandler(certificateStrategyFromEnv(process.env));
 */
export function certificateStrategyFromEnv(env: Environment): RotationStrategy {
  const { caSecretArn } = certificateSettingsFromEnv(env);
  return createCertificateStrategy(caSecretArn === undefined ? {} : { caSecretId: caSecretArn });
}
