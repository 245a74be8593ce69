import { X509Certificate, type KeyObject } from 'node:crypto';
import { ValidationError } from '../errors';
import { parseCertificate } from './certificate-authority';
import type {
  CertificateKeyAlgorithm,
  CertificateNameOptions,
  ExtendedKeyUsageName,
  SubjectAlternativeNames,
} from './certificate-options';
import { x509Module } from './x509-module';

/** A public key's algorithm, as certificates here name it. */
export interface PublicKeyAlgorithm {
  readonly rsa: boolean;
  /** Undefined for an RSA size keystage does not generate (4096 bits, say). */
  readonly algorithm: CertificateKeyAlgorithm | undefined;
}

/**
 * The key's algorithm; ECDSA P-256/P-384 or RSA of at least 2048 bits, else a ValidationError
 * naming `field`.
 * @example
 * keyAlgorithmOf(new X509Certificate(pem).publicKey, 'certificate'); // { rsa: false, algorithm: 'ecdsa-p256' }
 */
export function keyAlgorithmOf(key: KeyObject, field: string): PublicKeyAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') {
    return { rsa: false, algorithm: 'ecdsa-p256' };
  }
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'secp384r1') {
    return { rsa: false, algorithm: 'ecdsa-p384' };
  }
  const bits = details.modulusLength ?? 0;
  if (key.asymmetricKeyType === 'rsa' && bits >= 2048) {
    return { rsa: true, algorithm: bits === 2048 ? 'rsa-2048' : bits === 3072 ? 'rsa-3072' : undefined };
  }
  throw new ValidationError(
    field,
    `${field} has a ${key.asymmetricKeyType ?? 'unknown'} key${details.namedCurve === undefined ? '' : ` on ${details.namedCurve}`}${bits === 0 ? '' : ` of ${bits} bits`}; keystage takes ECDSA P-256 or P-384, or RSA of at least 2048 bits.`,
  );
}

/** What a certificate says, in keystage's terms: enough to issue its successor. */
export interface CertificateDescription extends CertificateNameOptions {
  /** Its subject alternative names (DNS, IP and URI ones). */
  readonly sans: Required<SubjectAlternativeNames>;
  /** Its key's algorithm; undefined for an RSA size keystage does not generate. */
  readonly keyAlgorithm: CertificateKeyAlgorithm | undefined;
  /** True for a CA certificate (basicConstraints CA:TRUE). */
  readonly isCa: boolean;
  /** Its extended key usages that keystage knows. */
  readonly extendedKeyUsage: readonly ExtendedKeyUsageName[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** notAfter - notBefore in whole days, rounded: the `validityDays` it was issued with. */
  readonly validityDays: number;
  /** The serial number, hexadecimal, uppercase. */
  readonly serialNumber: string;
  /** SHA-256 fingerprint, colon-separated hexadecimal. */
  readonly fingerprint256: string;
}

const DAY_MS = 86_400_000;

/**
 * Reads a PEM certificate into keystage's own terms: subject, SANs, key algorithm, CA flag,
 * extended key usages and validity. Reading a certificate needs no key.
 * @example
 * const { commonName, sans, notAfter } = describeCertificate(leaf.certificate);
 */
export function describeCertificate(pem: string): CertificateDescription {
  const certificate: X509Certificate = parseCertificate(pem, 'certificate');
  const x509 = x509Module();
  const parsed = new x509.X509Certificate(certificate.raw);
  const subject: Record<string, string> = {};
  for (const part of parsed.subjectName.toJSON()) {
    for (const [attribute, values] of Object.entries(part)) {
      if (subject[attribute] === undefined && values[0] !== undefined) subject[attribute] = values[0];
    }
  }
  const names = parsed.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON() ?? [];
  const of = (type: string) => names.filter((name) => name.type === type).map((name) => name.value);
  const usages = parsed.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [];
  const extendedKeyUsage = (['serverAuth', 'clientAuth'] as const).filter((usage) =>
    usages.includes(x509.ExtendedKeyUsage[usage]),
  );
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  return {
    commonName: subject.CN ?? '',
    ...(subject.O === undefined ? {} : { organization: subject.O }),
    ...(subject.OU === undefined ? {} : { organizationalUnit: subject.OU }),
    ...(subject.C === undefined ? {} : { country: subject.C }),
    sans: { dns: of('dns'), ip: of('ip'), uri: of('url') },
    keyAlgorithm: keyAlgorithmOf(certificate.publicKey, 'certificate').algorithm,
    isCa: certificate.ca,
    extendedKeyUsage,
    notBefore,
    notAfter,
    validityDays: Math.round((notAfter.getTime() - notBefore.getTime()) / DAY_MS),
    serialNumber: certificate.serialNumber,
    fingerprint256: certificate.fingerprint256,
  };
}
