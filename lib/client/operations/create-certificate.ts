import { inspect } from 'node:util';
import { validateSecretId } from '../../core';
import { SecretDecodeError, ValidationError, show } from '../../errors';
import {
  createCertificateAuthority,
  issueCertificate,
  parseCertificateSecret,
  type CertificateAuthorityKeyPair,
  type CertificateKeyAlgorithm,
  type CertificateNameOptions,
  type ExtendedKeyUsageName,
  type SubjectAlternativeNames,
} from '../../generate';
import type { Operation } from '../operation';
import type { CallOptions } from '../options';
import { SealedSecretValue } from '../sealed-value';
import { fetchVersion, versionRead, type VersionRead } from './read';

/** What `create` makes for kind `certificate` when no value is given. */
export interface CertificateSecretInput extends CertificateNameOptions {
  /**
   * Make a CA (basicConstraints CA:TRUE, keyCertSign + cRLSign): self-signed, or an
   * intermediate when `ca` is given too.
   * @default false (a leaf, which needs `ca`)
   */
  readonly isCa?: boolean;
  /**
   * The CA that issues it: the id of a certificate secret (read through this client, so the
   * access policy and the audit trail see the read), or the CA's PEM pair itself.
   * @default - none: only a self-signed CA (`isCa: true`) needs no CA
   */
  readonly ca?: string | CertificateAuthorityKeyPair;
  /** Names a leaf is valid for. @default - the common name, when it is a host name or address */
  readonly sans?: SubjectAlternativeNames;
  /** @default 'ecdsa-p256' */
  readonly keyAlgorithm?: CertificateKeyAlgorithm;
  /** @default 3650 for a CA, 90 for a leaf (never past the CA's end) */
  readonly validityDays?: number;
  /** A leaf's extended key usages. @default ['serverAuth'] */
  readonly extendedKeyUsage?: readonly ExtendedKeyUsageName[];
}

/**
 * Checks the `certificate` option of a `certificate` secret without a value, before any I/O:
 * present, an object, and a leaf has a `ca`. The generators check the rest when they run.
 * @example
 * checkCertificateInput({ commonName: 'api.internal', ca: 'prod/pki/ca' });
 */
export function checkCertificateInput(input: CertificateSecretInput | undefined): void {
  if (input === undefined) {
    throw new ValidationError(
      'certificate',
      "A 'certificate' secret without a value needs certificate: { commonName, ca } (or { commonName, isCa: true } for a CA).",
    );
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError(
      'certificate',
      `certificate must be an object { commonName, ... }; got ${show(input)}.`,
    );
  }
  if (input.isCa !== undefined && typeof input.isCa !== 'boolean') {
    throw new ValidationError(
      'certificate.isCa',
      `certificate.isCa must be true or false; got ${show(input.isCa)}.`,
    );
  }
  if (input.ca === undefined && input.isCa !== true) {
    throw new ValidationError(
      'certificate.ca',
      'A leaf certificate needs ca: a CA secret id or { certificate, privateKey }; set isCa: true for a self-signed CA.',
    );
  }
  if (input.isCa === true) {
    const leafOnly = (['sans', 'extendedKeyUsage'] as const).find((key) => input[key] !== undefined);
    if (leafOnly !== undefined) {
      throw new ValidationError(
        `certificate.${leafOnly}`,
        `certificate.${leafOnly} is for a leaf; a CA (isCa: true) has none.`,
      );
    }
  }
  if (typeof input.ca === 'string') validateSecretId(input.ca, 'certificate.ca');
  else if (input.ca !== undefined && (typeof input.ca !== 'object' || input.ca === null)) {
    throw new ValidationError(
      'certificate.ca',
      `certificate.ca must be a CA secret id or { certificate, privateKey }; got ${show(input.ca)}.`,
    );
  }
}

/**
 * A given value of a `certificate` secret, `{ certificate, privateKey, chain }` as an object or
 * JSON text, checked and as the JSON to store.
 * @example
 * const SecretString = certificateValueText({ certificate, privateKey, chain: '' });
 */
export function certificateValueText(value: string | object): string {
  if (value instanceof Uint8Array) {
    throw new ValidationError(
      'value',
      "A 'certificate' secret is JSON text { certificate, privateKey, chain }, not bytes.",
    );
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return parseCertificateSecret(text, 'value').toSecretString();
}

/**
 * A CA secret as `create` reads it: its ARN (from GetSecretValue's answer) and its value.
 * The value is not enumerable, and JSON, `util.inspect` and `String()` show the ARN only.
 * @example
 * const read = new CertificateAuthorityRead(arn, text);
 * JSON.stringify(read); // {"arn":"arn:aws:secretsmanager:…"}
 */
export class CertificateAuthorityRead {
  readonly arn: string;
  declare readonly text: string;

  constructor(arn: string, text: string) {
    this.arn = arn;
    Object.defineProperty(this, 'text', { value: text, enumerable: false });
  }

  /** The ARN; never the value. */
  toJSON(): { arn: string } {
    return { arn: this.arn };
  }

  /** `CertificateAuthorityRead(value [REDACTED])`. */
  toString(): string {
    return 'CertificateAuthorityRead(value [REDACTED])';
  }

  [inspect.custom](): string {
    return `CertificateAuthorityRead ${inspect(this.toJSON())}`;
  }
}

/**
 * The read of a CA secret for `create`: a `get` as the access policy, the rate limits and the
 * audit trail see it (kind `read`, audited as `get`), which also answers with the ARN that
 * the issued leaf stores as `caarn`. Never served from the cache: the ARN is not kept there.
 */
export const readCertificateAuthority: Operation<
  [id: string, options: CallOptions],
  { readonly read: VersionRead },
  CertificateAuthorityRead
> = {
  name: 'get',
  kind: 'read',
  validate: (id, options) => ({ read: versionRead(id, options) }),
  secretId: (input) => input.read.id,
  call: async (input, context, invocation) => {
    const version = await fetchVersion(input.read, context);
    invocation.versionId = version.versionId;
    const text =
      version.text ??
      (version.binary instanceof SealedSecretValue
        ? await version.binary.open(version, input.read.id)
        : undefined);
    if (text === undefined) {
      throw new SecretDecodeError(
        `Secret ${JSON.stringify(input.read.id)} holds no string: a CA secret is { certificate, privateKey, chain } (PEM).`,
        { secretId: input.read.id },
      );
    }
    return new CertificateAuthorityRead(version.arn, text);
  },
};

/** Where a resolved input keeps its CA secret's ARN: a symbol, so no caller can set it. */
const CA_ARN = Symbol('caarn');

/**
 * The `certificate` option with a CA secret id replaced by the CA's PEM pair, read with `read`
 * (the client's {@link readCertificateAuthority}), and the CA secret's ARN kept for
 * {@link generateCertificateValue} to store as `caarn`; unchanged otherwise.
 * @example
 * const input = await resolveCertificateAuthority(options.certificate, (id) => run(readCertificateAuthority, id));
 */
export async function resolveCertificateAuthority(
  input: CertificateSecretInput,
  read: (id: string) => Promise<CertificateAuthorityRead>,
): Promise<CertificateSecretInput> {
  if (typeof input.ca !== 'string') return input;
  const authority = await read(input.ca);
  const ca = parseCertificateSecret(authority.text, 'certificate.ca');
  return {
    ...input,
    ca: { certificate: ca.certificate, privateKey: ca.privateKey, chain: ca.chain },
    [CA_ARN]: authority.arn,
  } as CertificateSecretInput;
}

/**
 * The generated value: a CA, or a leaf issued by the (resolved) CA. A leaf (or intermediate)
 * issued from a CA secret stores that secret's ARN as `caarn`; a self-signed CA, or one issued
 * from a PEM pair, stores none. Generator errors name `certificate.*`.
 * @example
 * const SecretString = await generateCertificateValue({ commonName: 'Acme CA', isCa: true });
 */
export async function generateCertificateValue(input: CertificateSecretInput): Promise<string> {
  const { isCa, ca, sans, extendedKeyUsage, ...common } = input;
  const caarn = (input as { readonly [CA_ARN]?: string })[CA_ARN];
  if (typeof ca === 'string') {
    // The facade resolves ids; reaching here with one is a bug, never a value to guess at.
    throw new ValidationError(
      'certificate.ca',
      'certificate.ca was not read before generating; call create through SecretsClient.',
    );
  }
  try {
    const bundle =
      isCa === true
        ? await createCertificateAuthority({ ...common, ...(ca === undefined ? {} : { issuer: ca }) })
        : await issueCertificate(ca!, {
            ...common,
            ...(sans === undefined ? {} : { sans }),
            ...(extendedKeyUsage === undefined ? {} : { extendedKeyUsage }),
          });
    return (caarn === undefined ? bundle : bundle.issuedBy(caarn)).toSecretString();
  } catch (error) {
    if (!(error instanceof ValidationError) || error.field.startsWith('certificate')) throw error;
    // The generators name their own options (commonName, ca.certificate, issuer.privateKey...).
    const field = `certificate.${error.field.replace(/^issuer\b/, 'ca')}`;
    throw new ValidationError(field, error.message, { cause: error });
  }
}
