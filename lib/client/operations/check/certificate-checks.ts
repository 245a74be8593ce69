import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { ValidationError } from '../../../errors';
import { parseCertificateSecret, pemCertificates } from '../../../generate';
import { x509Module } from '../../../generate/x509-module';
import { failed, passed, type SecretCheck } from './check-result';

const DAY_MS = 86_400_000;

/** The certificate that `pem` is, or undefined when it is not one. */
function readable(pem: string, field: string): X509Certificate | undefined {
  try {
    return pemCertificates(pem, field)[0];
  } catch (error) {
    if (error instanceof ValidationError) return undefined;
    throw error;
  }
}

/** Each certificate of the path is signed by the next; the last one by itself or by an issuer not held. */
function chainCheck(path: readonly X509Certificate[]): SecretCheck {
  for (let i = 1; i < path.length; i++) {
    if (!path[i - 1]!.checkIssued(path[i]!) || !path[i - 1]!.verify(path[i]!.publicKey)) {
      return failed(
        'chain',
        i === 1
          ? 'The certificate is not signed by the first certificate of the chain: the chain is not its issuer.'
          : `Chain certificate ${i - 2} is not signed by chain certificate ${i - 1}: the chain is out of order or broken.`,
      );
    }
  }
  const top = path[path.length - 1]!;
  const selfSigned = top.checkIssued(top) && top.verify(top.publicKey);
  if (path.length === 1) {
    return selfSigned
      ? passed('chain', 'A self-signed certificate: its own signature verifies.')
      : failed(
          'chain',
          'The certificate is not self-signed and the secret holds no chain: store its issuing chain in "chain".',
        );
  }
  return passed(
    'chain',
    `Each of the ${path.length - 1} chain certificate(s) signs the one before it` +
      (selfSigned ? ', up to a self-signed root.' : '; the last is issued by a CA outside the secret.'),
  );
}

/** Every certificate of the path is valid at `now`; the reason names the first end. */
function expiryCheck(path: readonly X509Certificate[], now: number): SecretCheck {
  // @peculiar/x509 gives the validity as Dates (node:crypto as display strings).
  const x509 = x509Module();
  let soonest: { what: string; notAfter: Date } | undefined;
  for (const [i, certificate] of path.entries()) {
    const what = i === 0 ? 'The certificate' : `Chain certificate ${i - 1}`;
    const { notBefore, notAfter } = new x509.X509Certificate(certificate.raw);
    if (notBefore.getTime() > now) {
      return failed('expiry', `${what} is not valid before ${notBefore.toISOString()}.`);
    }
    if (notAfter.getTime() <= now) return failed('expiry', `${what} expired at ${notAfter.toISOString()}.`);
    if (soonest === undefined || notAfter < soonest.notAfter) soonest = { what, notAfter };
  }
  const days = Math.floor((soonest!.notAfter.getTime() - now) / DAY_MS);
  return passed(
    'expiry',
    `Valid now; ${soonest!.what.toLowerCase()} expires first, at ${soonest!.notAfter.toISOString()} (${days} days).`,
  );
}

function keyCheck(certificate: X509Certificate, privateKeyPem: string): SecretCheck {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch {
    return failed('key', 'The private key is not a readable unencrypted PEM key.');
  }
  return certificate.checkPrivateKey(key)
    ? passed('key', "The private key is the certificate's key.")
    : failed('key', 'The private key does not belong to the certificate.');
}

/**
 * The checks of a certificate secret whose shape (`{ certificate, privateKey, chain }`,
 * PEM) has been checked: that the chain links up (each certificate signed by the next),
 * that every certificate is valid at `now`, and that the private key matches. Certificates
 * are public, so reasons may name dates; the key is never quoted.
 */
export function certificateChecks(text: string, now: number): SecretCheck[] {
  const bundle = parseCertificateSecret(text);
  const leaf = readable(bundle.certificate, 'certificate');
  if (leaf === undefined) return [failed('chain', 'The "certificate" is not a readable PEM certificate.')];
  let chain: X509Certificate[];
  try {
    chain = pemCertificates(bundle.chain, 'chain');
  } catch (error) {
    if (error instanceof ValidationError) {
      return [failed('chain', 'A certificate of the "chain" is not a readable PEM certificate.')];
    }
    throw error;
  }
  const path = [leaf, ...chain];
  return [chainCheck(path), expiryCheck(path, now), keyCheck(leaf, bundle.privateKey)];
}
