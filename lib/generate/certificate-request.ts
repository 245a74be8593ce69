import type * as X509 from '@peculiar/x509';
import { createPublicKey } from 'node:crypto';
import { ValidationError } from '../errors';
import { joinPem, parseCertificate, type CertificateAuthorityKeyPair } from './certificate-authority';
import { CertificateRequest } from './certificate-bundle';
import { keyAlgorithmOf } from './certificate-description';
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
  type CheckedAltName,
  type ExtendedKeyUsageName,
  type SubjectAlternativeNames,
} from './certificate-options';
import {
  checkNotExpiredByIssuer,
  defaultAltNames,
  nameOf,
  readAuthority,
  signLeaf,
  type CryptoKeys,
} from './certificate-signer';
import { x509Module } from './x509-module';

/** Options of {@link createCsr}. */
export interface CertificateRequestOptions extends CertificateNameOptions {
  /** @default - the common name as a DNS name or IP address, when it is one; else none */
  readonly sans?: SubjectAlternativeNames;
  /** @default 'ecdsa-p256' */
  readonly keyAlgorithm?: CertificateKeyAlgorithm;
}

/** Options of {@link issueCertificateFromCsr}. */
export interface CsrIssueOptions extends CertificateValidityOptions {
  /** The names to issue for, replacing those the CSR asks for. @default - the CSR's names, each checked */
  readonly sans?: SubjectAlternativeNames;
  /** @default ['serverAuth'] */
  readonly extendedKeyUsage?: readonly ExtendedKeyUsageName[];
}

/** A certificate issued from a CSR: the requester holds the key. */
export interface IssuedCertificate {
  /** The certificate, PEM. */
  readonly certificate: string;
  /** The CA certificate and the chain above it, PEM, issuer first. */
  readonly chain: string;
}

/**
 * A new key pair and a PKCS#10 certificate signing request for it (PEM), carrying the subject
 * and the SANs (as an extension request). Send `csr` to a CA; keep `privateKey`.
 * @example
 * const request = await createCsr({ commonName: 'api.internal', sans: { dns: ['api.internal'] } });
 * const { certificate, chain } = await issueCertificateFromCsr(ca, request.csr);
 */
export async function createCsr(options: CertificateRequestOptions): Promise<CertificateRequest> {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', 'createCsr needs { commonName }.');
  }
  const name = checkName(options, 'certificate');
  const altNames =
    options.sans === undefined ? defaultAltNames(options.commonName) : checkAltNames(options.sans, 'sans');
  const keyAlgorithm = checkKeyAlgorithm(options.keyAlgorithm, 'keyAlgorithm');
  const x509 = x509Module();
  const keys = await generateKeyPair(keyAlgorithm);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: nameOf(name),
    keys: keys as unknown as CryptoKeys,
    signingAlgorithm: signingAlgorithmOf(keyAlgorithm),
    extensions: altNames.length === 0 ? [] : [new x509.SubjectAlternativeNameExtension([...altNames], false)],
  });
  return new CertificateRequest(`${csr.toString('pem').trimEnd()}\n`, await privateKeyPem(keys.privateKey));
}

/**
 * A leaf certificate for the key of a CSR (PEM), signed by `ca`. The CSR's signature must
 * verify (it proves the requester holds the key) and its key must be ECDSA P-256/P-384 or RSA
 * of at least 2048 bits. The subject is the CSR's; the SANs are the CSR's, each checked, unless
 * `sans` replaces them. Extensions and validity as `issueCertificate`.
 * @example
 * const { certificate, chain } = await issueCertificateFromCsr(ca, csrPem, { extendedKeyUsage: ['clientAuth'] });
 */
export async function issueCertificateFromCsr(
  ca: CertificateAuthorityKeyPair,
  csr: string,
  options: CsrIssueOptions = {},
): Promise<IssuedCertificate> {
  if (typeof csr !== 'string' || !csr.includes('-----BEGIN CERTIFICATE REQUEST-----')) {
    throw new ValidationError(
      'csr',
      'csr must be a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----).',
    );
  }
  const extendedKeyUsage = checkExtendedKeyUsage(options.extendedKeyUsage, 'extendedKeyUsage');
  const validity = checkValidity(options, 90);
  const x509 = x509Module();
  let request: X509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(csr);
  } catch {
    throw new ValidationError('csr', 'csr is not a readable PKCS#10 certificate request.');
  }
  if (!(await request.verify())) {
    throw new ValidationError(
      'csr',
      "csr's signature does not verify: it was altered or not made with its key.",
    );
  }
  const key = keyAlgorithmOf(
    createPublicKey({ key: Buffer.from(request.publicKey.rawData), format: 'der', type: 'spki' }),
    'csr',
  );
  let altNames: CheckedAltName[];
  if (options.sans !== undefined) {
    altNames = checkAltNames(options.sans, 'sans');
  } else {
    const requested = request.extensions.find(
      (extension) => extension instanceof x509.SubjectAlternativeNameExtension,
    );
    const json = requested?.names.toJSON() ?? [];
    const unsupported = json.find((name) => !['dns', 'ip', 'url'].includes(name.type));
    if (unsupported !== undefined) {
      throw new ValidationError(
        'csr',
        `csr asks for a ${unsupported.type} name; keystage issues DNS, IP and URI names only.`,
      );
    }
    const of = (type: string) => json.filter((name) => name.type === type).map((name) => name.value);
    altNames = checkAltNames({ dns: of('dns'), ip: of('ip'), uri: of('url') }, 'csr.sans');
  }
  const authority = await readAuthority(ca, 'ca', validity.now);
  checkNotExpiredByIssuer(authority, validity);
  const certificate = await signLeaf(x509, {
    subject: request.subjectName,
    publicKey: request.publicKey,
    rsa: key.rsa,
    authority,
    altNames,
    extendedKeyUsage,
    validity,
  });
  return {
    certificate: joinPem([parseCertificate(certificate, 'certificate')]),
    chain: authority.issuingChain,
  };
}
