import type * as X509 from '@peculiar/x509';
import { ValidationError, show } from '../errors';
import { joinPem, parseCertificate, type CertificateAuthorityKeyPair } from './certificate-authority';
import { CertificateBundle } from './certificate-bundle';
import { generateKeyPair, privateKeyPem, signingAlgorithmOf } from './certificate-keys';
import {
  checkAltNames,
  checkExtendedKeyUsage,
  checkKeyAlgorithm,
  checkName,
  checkValidity,
  type CertificateKeyAlgorithm,
  type CertificateNameOptions,
  type CertificateValidityOptions,
  type ExtendedKeyUsageName,
  type SubjectAlternativeNames,
} from './certificate-options';
import {
  authorityKeyId,
  checkNotExpiredByIssuer,
  clampToIssuer,
  defaultAltNames,
  nameOf,
  readAuthority,
  serialNumber,
  signLeaf,
  type SigningCryptoKey,
} from './certificate-signer';
import { x509Module } from './x509-module';

/** Options of {@link createCertificateAuthority}. */
export interface CertificateAuthorityOptions extends CertificateNameOptions, CertificateValidityOptions {
  /** @default 'ecdsa-p256' */
  readonly keyAlgorithm?: CertificateKeyAlgorithm;
  /**
   * How many intermediate CAs may follow this one (basicConstraints pathLenConstraint), 0 to 10.
   * @default - no limit
   */
  readonly pathLength?: number;
  /**
   * The CA that signs this one, which makes it an intermediate CA.
   * @default - self-signed (a root CA)
   */
  readonly issuer?: CertificateAuthorityKeyPair;
}

/** Options of {@link issueCertificate}. */
export interface LeafCertificateOptions extends CertificateNameOptions, CertificateValidityOptions {
  /**
   * The names the certificate is valid for. Each is checked: DNS names, IP addresses (node:net
   * `isIP`), URIs with a scheme.
   * @default - the common name as a DNS name or IP address, when it is one; else none
   */
  readonly sans?: SubjectAlternativeNames;
  /** @default 'ecdsa-p256' */
  readonly keyAlgorithm?: CertificateKeyAlgorithm;
  /** @default ['serverAuth'] */
  readonly extendedKeyUsage?: readonly ExtendedKeyUsageName[];
}

function pathLengthOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 10) {
    throw new ValidationError(
      'pathLength',
      `pathLength must be a whole number from 0 to 10; got ${show(value)}.`,
    );
  }
  return value;
}

/** The end of a certificate issued by `authority`: never after the CA's own. */
/**
 * A new CA: self-signed (a root) or, with `issuer`, an intermediate signed by that CA. The
 * certificate has basicConstraints CA:TRUE and key usage keyCertSign + cRLSign, both critical;
 * its private key is a new key of `keyAlgorithm`. `chain` is empty for a root, the issuer's
 * chain for an intermediate.
 * @example
 * const ca = await createCertificateAuthority({ commonName: 'Acme Internal CA', validityDays: 3650 });
 * await secrets.create({ name: 'ca', kind: 'certificate', value: ca.toSecretString() });
 */
export async function createCertificateAuthority(
  options: CertificateAuthorityOptions,
): Promise<CertificateBundle> {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', 'createCertificateAuthority needs { commonName }.');
  }
  const name = checkName(options, 'certificate');
  const keyAlgorithm = checkKeyAlgorithm(options.keyAlgorithm, 'keyAlgorithm');
  const pathLength = pathLengthOf(options.pathLength);
  const validity = checkValidity(options, 3650);
  const x509 = x509Module();
  const issuer =
    options.issuer === undefined ? undefined : await readAuthority(options.issuer, 'issuer', validity.now);
  if (issuer !== undefined) checkNotExpiredByIssuer(issuer, validity);
  const keys = await generateKeyPair(keyAlgorithm);
  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as SigningCryptoKey),
  ];
  if (issuer !== undefined) extensions.push(await authorityKeyId(x509, issuer));
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: nameOf(name),
    issuer: issuer === undefined ? nameOf(name) : issuer.parsed.subjectName,
    notBefore: validity.notBefore,
    notAfter: clampToIssuer(validity.notAfter, issuer),
    publicKey: keys.publicKey as SigningCryptoKey,
    signingKey: (issuer === undefined ? keys.privateKey : issuer.key.cryptoKey) as SigningCryptoKey,
    signingAlgorithm: issuer === undefined ? signingAlgorithmOf(keyAlgorithm) : issuer.key.signingAlgorithm,
    extensions,
  });
  return new CertificateBundle({
    certificate: joinPem([parseCertificate(certificate.toString('pem'), 'certificate')]),
    privateKey: await privateKeyPem(keys.privateKey),
    chain: issuer === undefined ? '' : issuer.issuingChain,
  });
}

/**
 * A new key pair and a leaf certificate for it, signed by `ca`: basicConstraints CA:FALSE, key
 * usage digitalSignature (and keyEncipherment for RSA), the extended key usages asked for,
 * the SANs, a random 126-bit serial, and a validity that starts `backdateSeconds` ago and
 * never ends after the CA's. `chain` is the CA certificate and the chain above it.
 * @example
 * const leaf = await issueCertificate(ca, { commonName: 'api.internal', sans: { dns: ['api.internal'], ip: ['10.0.0.7'] } });
 * leaf.certificate; // -----BEGIN CERTIFICATE-----...
 */
export async function issueCertificate(
  ca: CertificateAuthorityKeyPair,
  options: LeafCertificateOptions,
): Promise<CertificateBundle> {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', 'issueCertificate needs { commonName }.');
  }
  const name = checkName(options, 'certificate');
  const altNames =
    options.sans === undefined ? defaultAltNames(options.commonName) : checkAltNames(options.sans, 'sans');
  const keyAlgorithm = checkKeyAlgorithm(options.keyAlgorithm, 'keyAlgorithm');
  const extendedKeyUsage = checkExtendedKeyUsage(options.extendedKeyUsage, 'extendedKeyUsage');
  const validity = checkValidity(options, 90);
  const x509 = x509Module();
  const authority = await readAuthority(ca, 'ca', validity.now);
  checkNotExpiredByIssuer(authority, validity);
  const keys = await generateKeyPair(keyAlgorithm);
  const certificate = await signLeaf(x509, {
    subject: nameOf(name),
    publicKey: keys.publicKey,
    rsa: keyAlgorithm.startsWith('rsa'),
    authority,
    altNames,
    extendedKeyUsage,
    validity,
  });
  return new CertificateBundle({
    certificate: joinPem([parseCertificate(certificate, 'certificate')]),
    privateKey: await privateKeyPem(keys.privateKey),
    chain: authority.issuingChain,
  });
}
