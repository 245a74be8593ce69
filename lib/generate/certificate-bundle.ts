import { inspect } from 'node:util';
import { SECRET_ARN_PATTERN } from '../core';
import { ValidationError } from '../errors';

/**
 * The JSON a certificate secret stores: PEM certificate, PKCS#8 PEM key, issuing chain PEM,
 * and for a leaf issued from a CA secret, that secret's ARN (`caarn`, as a database secret's
 * `masterarn` names its master).
 */
export interface CertificateSecretJson {
  /** The certificate, PEM. */
  readonly certificate: string;
  /** Its private key, PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
  readonly privateKey: string;
  /** The certificates that issued it, PEM, issuer first; empty for a self-signed root. */
  readonly chain: string;
  /**
   * The ARN of the CA secret that issued it: the certificate rotation reissues from that CA.
   * @default - none: a self-signed CA, or a certificate issued from a PEM pair or made elsewhere
   */
  readonly caarn?: string;
}

/** The redacted form, for logs. */
export interface RedactedCertificateSecretJson {
  readonly certificate: string;
  readonly privateKey: '[REDACTED]';
  readonly chain: string;
  readonly caarn?: string;
}

/**
 * A certificate with its private key and issuing chain, all PEM. Logging or serialising it
 * (`JSON.stringify`, `util.inspect`, `String()`, an object spread) shows the certificate and
 * chain but never the key, which is not an enumerable property; `toSecretString()` is the one
 * way to get the JSON to store.
 * @example
 * const ca = await createCertificateAuthority({ commonName: 'Acme Internal CA' });
 * JSON.stringify(ca); // {"certificate":"-----BEGIN CERTIFICATE-----...","privateKey":"[REDACTED]","chain":""}
 * await secrets.put('prod/pki/ca', ca.toSecretString());
 */
export class CertificateBundle {
  readonly certificate: string;
  readonly chain: string;
  /** The ARN of the CA secret that issued it. @default - none */
  readonly caarn?: string;
  // Declared, not initialised, so it can be defined non-enumerable in the constructor.
  declare readonly privateKey: string;

  constructor(fields: CertificateSecretJson) {
    this.certificate = fields.certificate;
    this.chain = fields.chain;
    if (fields.caarn !== undefined) this.caarn = fields.caarn;
    Object.defineProperty(this, 'privateKey', { value: fields.privateKey, enumerable: false });
  }

  /**
   * `{ certificate, privateKey, chain, caarn? }` as JSON, key included: what a certificate
   * secret stores.
   */
  toSecretString(): string {
    return JSON.stringify({
      certificate: this.certificate,
      privateKey: this.privateKey,
      chain: this.chain,
      ...(this.caarn === undefined ? {} : { caarn: this.caarn }),
    });
  }

  /** The same bundle naming the CA secret that issued it (`caarn`). */
  issuedBy(caarn: string): CertificateBundle {
    return new CertificateBundle({
      certificate: this.certificate,
      privateKey: this.privateKey,
      chain: this.chain,
      caarn,
    });
  }

  /** The certificate, chain and `caarn`; the key as `[REDACTED]`. */
  toJSON(): RedactedCertificateSecretJson {
    return {
      certificate: this.certificate,
      privateKey: '[REDACTED]',
      chain: this.chain,
      ...(this.caarn === undefined ? {} : { caarn: this.caarn }),
    };
  }

  /** `CertificateBundle(privateKey [REDACTED])`. */
  toString(): string {
    return 'CertificateBundle(privateKey [REDACTED])';
  }

  [inspect.custom](): string {
    return `CertificateBundle ${inspect(this.toJSON())}`;
  }
}

/**
 * A PKCS#10 certificate signing request (PEM) and the private key it was made with (PKCS#8
 * PEM). As with {@link CertificateBundle}, the key never shows in JSON, inspect output or
 * spreads: read `privateKey` itself to keep it.
 * @example
 * const request = await createCsr({ commonName: 'api.internal', sans: { dns: ['api.internal'] } });
 * const issued = await issueCertificateFromCsr(ca, request.csr);
 */
export class CertificateRequest {
  readonly csr: string;
  declare readonly privateKey: string;

  constructor(csr: string, privateKey: string) {
    this.csr = csr;
    Object.defineProperty(this, 'privateKey', { value: privateKey, enumerable: false });
  }

  /** The CSR; the key as `[REDACTED]`. */
  toJSON(): { csr: string; privateKey: '[REDACTED]' } {
    return { csr: this.csr, privateKey: '[REDACTED]' };
  }

  /** `CertificateRequest(privateKey [REDACTED])`. */
  toString(): string {
    return 'CertificateRequest(privateKey [REDACTED])';
  }

  [inspect.custom](): string {
    return `CertificateRequest ${inspect(this.toJSON())}`;
  }
}

/**
 * A certificate secret's JSON (`{ certificate, privateKey, chain, caarn? }`, PEM strings;
 * `chain` may be absent; `caarn`, when present, a secret ARN) as a {@link CertificateBundle}.
 * Checks the shape only, never the PEM: a ValidationError naming `field` for anything else,
 * without quoting the value.
 * @example
 * const ca = parseCertificateSecret(await secrets.get('prod/pki/ca'));
 */
export function parseCertificateSecret(text: string, field = 'value'): CertificateBundle {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ValidationError(
      field,
      `${field} is not JSON; a certificate secret is { certificate, privateKey, chain } (PEM).`,
    );
  }
  const fields = (
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : {}
  ) as Record<string, unknown>;
  for (const key of ['certificate', 'privateKey'] as const) {
    if (typeof fields[key] !== 'string' || fields[key] === '') {
      throw new ValidationError(
        `${field}.${key}`,
        `${field} has no ${key} string; a certificate secret is { certificate, privateKey, chain } (PEM).`,
      );
    }
  }
  if (fields.chain !== undefined && typeof fields.chain !== 'string') {
    throw new ValidationError(`${field}.chain`, `${field}.chain must be PEM text (or absent).`);
  }
  if (
    fields.caarn !== undefined &&
    (typeof fields.caarn !== 'string' || !SECRET_ARN_PATTERN.test(fields.caarn))
  ) {
    throw new ValidationError(
      `${field}.caarn`,
      `${field}.caarn must be the ARN of the CA secret that issued the certificate (arn:aws:secretsmanager:<region>:<account>:secret:<name>), or absent.`,
    );
  }
  return new CertificateBundle({
    certificate: fields.certificate as string,
    privateKey: fields.privateKey as string,
    chain: (fields.chain as string | undefined) ?? '',
    ...(fields.caarn === undefined ? {} : { caarn: fields.caarn as string }),
  });
}
