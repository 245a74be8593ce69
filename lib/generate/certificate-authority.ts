import { X509Certificate } from 'node:crypto';
import { ValidationError } from '../errors';

/** A CA to issue from: its certificate and private key (PEM), and the chain above it. */
export interface CertificateAuthorityKeyPair {
  /** The CA certificate, PEM; must be a CA (basicConstraints CA:TRUE, keyCertSign if key usage is set). */
  readonly certificate: string;
  /** The CA's private key, PEM (PKCS#8, SEC1 or PKCS#1, unencrypted). */
  readonly privateKey: string;
  /** The certificates above the CA, PEM, issuer first. @default - none (the CA is a root) */
  readonly chain?: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The certificates of a PEM text, each parsed; text outside the PEM blocks is ignored.
 * @example
 * const [issuer] = pemCertificates(bundle.chain, 'chain');
 */
export function pemCertificates(text: unknown, field: string): X509Certificate[] {
  if (typeof text !== 'string') throw new ValidationError(field, `${field} must be PEM text.`);
  return (text.match(PEM_CERTIFICATE) ?? []).map((pem, i) => parseCertificate(pem, `${field}[${i}]`));
}

/**
 * One PEM certificate, parsed by node:crypto; a ValidationError naming `field` otherwise.
 * @example
 * const ca = parseCertificate(bundle.certificate, 'ca.certificate');
 */
export function parseCertificate(pem: unknown, field: string): X509Certificate {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ValidationError(field, `${field} must be a PEM certificate (-----BEGIN CERTIFICATE-----).`);
  }
  try {
    return new X509Certificate(pem);
  } catch {
    throw new ValidationError(field, `${field} is not a readable PEM certificate.`);
  }
}

/**
 * Certificates as PEM, one after another, each ending in a newline.
 * @example
 * const chain = joinPem([intermediate, root]);
 */
export function joinPem(certificates: readonly X509Certificate[]): string {
  return certificates.map((certificate) => certificate.toString().trimEnd() + '\n').join('');
}
