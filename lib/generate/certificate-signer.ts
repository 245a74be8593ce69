import type * as X509 from '@peculiar/x509';
import { randomBytes, type X509Certificate, type webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { ValidationError } from '../errors';
import {
  joinPem,
  parseCertificate,
  pemCertificates,
  type CertificateAuthorityKeyPair,
} from './certificate-authority';
import { importSigningKey, type SigningKey } from './certificate-keys';
import {
  checkValidity,
  isDnsName,
  type CheckedAltName,
  type CheckedName,
  type ExtendedKeyUsageName,
} from './certificate-options';
import { x509Module } from './x509-module';

// Internal to lib/generate: these types name @peculiar/x509, so nothing here is exported from
// the barrel (a public declaration naming an optional peer breaks builds without it).

/** A CA read and checked, ready to sign. */
export interface Authority {
  readonly certificate: X509Certificate;
  /** The same certificate as @peculiar/x509 reads it (its subject is the issuer name). */
  readonly parsed: X509.X509Certificate;
  /** The CA certificate followed by its chain, PEM: the chain of what it issues. */
  readonly issuingChain: string;
  readonly key: SigningKey;
}

/**
 * Reads and checks a CA at `now`: a CA certificate (basicConstraints CA:TRUE and, when key
 * usage is present, keyCertSign), valid now, whose private key matches it. Failures are
 * ValidationErrors naming `field` (`ca`, `ca.certificate`, `ca.privateKey`, `ca.chain`).
 * @example
 * const authority = await readAuthority(ca, 'ca', new Date());
 */
export async function readAuthority(
  ca: CertificateAuthorityKeyPair,
  field: string,
  now: Date,
): Promise<Authority> {
  if (typeof ca !== 'object' || ca === null) {
    throw new ValidationError(field, `${field} must be { certificate, privateKey, chain? } (PEM).`);
  }
  const certificate = parseCertificate(ca.certificate, `${field}.certificate`);
  if (!certificate.ca) {
    throw new ValidationError(
      `${field}.certificate`,
      `${field}.certificate (${certificate.subject.replace(/\n/g, ', ')}) is not a CA certificate (basicConstraints CA:TRUE); issue from a CA.`,
    );
  }
  if (Date.parse(certificate.validTo) <= now.getTime() || Date.parse(certificate.validFrom) > now.getTime()) {
    throw new ValidationError(
      `${field}.certificate`,
      `${field}.certificate is valid from ${certificate.validFrom} to ${certificate.validTo}, not now; renew the CA first.`,
    );
  }
  const x509 = x509Module();
  const parsed = new x509.X509Certificate(certificate.raw);
  const usage = parsed.getExtension(x509.KeyUsagesExtension);
  if (usage !== null && (usage.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
    throw new ValidationError(
      `${field}.certificate`,
      `${field}.certificate has a key usage without keyCertSign, so it may not sign certificates.`,
    );
  }
  const key = await importSigningKey(ca.privateKey, `${field}.privateKey`);
  if (!certificate.checkPrivateKey(key.keyObject)) {
    throw new ValidationError(
      `${field}.privateKey`,
      `${field}.privateKey is not the key of ${field}.certificate.`,
    );
  }
  const chain = ca.chain === undefined || ca.chain === '' ? [] : pemCertificates(ca.chain, `${field}.chain`);
  return { certificate, parsed, issuingChain: joinPem([certificate, ...chain]), key };
}

// WebCrypto keys as @peculiar/x509 types them (Node's webcrypto keys are the same objects).
export type SigningCryptoKey = X509.X509CertificateCreateWithKeyParams['signingKey'];
export type CryptoKeys = X509.Pkcs10CertificateRequestCreateParams['keys'];

/** A positive serial of 16 random bytes (126 random bits), minimal in DER: first byte 0x40-0x7f. */
export function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = 0x40 | (bytes[0]! & 0x3f);
  return bytes.toString('hex');
}

export function nameOf(name: CheckedName): X509.JsonName {
  return name.map(([attribute, value]) => ({ [attribute]: [value] }));
}

/** Without SANs, the common name when it is an address or a host name: what clients check. */
export function defaultAltNames(commonName: string): CheckedAltName[] {
  if (isIP(commonName) !== 0) return [{ type: 'ip', value: commonName }];
  return isDnsName(commonName) ? [{ type: 'dns', value: commonName }] : [];
}

export function clampToIssuer(notAfter: Date, authority: Authority | undefined): Date {
  if (authority === undefined) return notAfter;
  const caEnd = Date.parse(authority.certificate.validTo);
  return caEnd < notAfter.getTime() ? new Date(caEnd) : notAfter;
}

export async function authorityKeyId(x509: typeof X509, authority: Authority): Promise<X509.Extension> {
  const subjectKeyId = authority.parsed.getExtension(x509.SubjectKeyIdentifierExtension);
  if (subjectKeyId !== null) return new x509.AuthorityKeyIdentifierExtension(subjectKeyId.keyId);
  return x509.AuthorityKeyIdentifierExtension.create(authority.parsed.publicKey);
}

export interface Issue {
  readonly subject: X509.JsonName | X509.Name;
  readonly publicKey: X509.PublicKey | webcrypto.CryptoKey;
  readonly rsa: boolean;
  readonly authority: Authority;
  readonly altNames: readonly CheckedAltName[];
  readonly extendedKeyUsage: readonly ExtendedKeyUsageName[];
  readonly validity: ReturnType<typeof checkValidity>;
}

/** Signs a leaf (end-entity) certificate: CA:FALSE, digitalSignature (+ keyEncipherment for RSA), EKU, SANs. */
export async function signLeaf(x509: typeof X509, issue: Issue): Promise<string> {
  const { authority } = issue;
  const usages = x509.KeyUsageFlags.digitalSignature | (issue.rsa ? x509.KeyUsageFlags.keyEncipherment : 0);
  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usages, true),
    new x509.ExtendedKeyUsageExtension(
      issue.extendedKeyUsage.map((usage) => x509.ExtendedKeyUsage[usage]),
      false,
    ),
    await x509.SubjectKeyIdentifierExtension.create(issue.publicKey as X509.PublicKeyType),
    await authorityKeyId(x509, authority),
  ];
  if (issue.altNames.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension([...issue.altNames], false));
  }
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: issue.subject,
    issuer: authority.parsed.subjectName,
    notBefore: issue.validity.notBefore,
    notAfter: clampToIssuer(issue.validity.notAfter, authority),
    publicKey: issue.publicKey as X509.PublicKeyType,
    signingKey: authority.key.cryptoKey as SigningCryptoKey,
    signingAlgorithm: authority.key.signingAlgorithm,
    extensions,
  });
  return certificate.toString('pem');
}

export function checkNotExpiredByIssuer(
  authority: Authority,
  validity: ReturnType<typeof checkValidity>,
): void {
  if (clampToIssuer(validity.notAfter, authority).getTime() <= validity.now.getTime()) {
    throw new ValidationError('ca', 'The CA expires before the certificate would start; renew the CA first.');
  }
}
