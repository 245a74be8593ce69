import { X509Certificate } from 'node:crypto';
import {
  SecretsClient,
  createCsr,
  describeCertificate,
  issueCertificateFromCsr,
  parseCertificateSecret,
} from 'keystage';

export async function certificatesExample(secrets = new SecretsClient()) {
  // A private CA, kept as a secret: { certificate, privateKey, chain } in PEM.
  await secrets.create({
    name: 'ca',
    kind: 'certificate',
    environment: 'prod',
    service: 'pki',
    certificate: { commonName: 'Acme Internal CA', organization: 'Acme', isCa: true, validityDays: 3650 },
  });

  // A server certificate issued by that CA. The CA is read through this client, so the access
  // policy and the audit trail see the read. ECDSA P-256 unless keyAlgorithm says 'rsa-2048'.
  await secrets.create({
    name: 'tls',
    kind: 'certificate',
    environment: 'prod',
    service: 'billing',
    certificate: {
      commonName: 'billing.internal',
      ca: 'prod/pki/ca',
      sans: { dns: ['billing.internal'], ip: ['10.0.12.7'] },
      extendedKeyUsage: ['serverAuth', 'clientAuth'],
      validityDays: 90, // starts 5 minutes ago, ends no later than the CA
    },
  });

  const tls = parseCertificateSecret(await secrets.get('prod/billing/tls'));
  const ca = parseCertificateSecret(await secrets.get('prod/pki/ca'));
  const logged = JSON.stringify(tls); // {"certificate":"-----BEGIN CERTIFICATE-----…","privateKey":"[REDACTED]",…}

  // node:crypto checks the chain on its own.
  const caCertificate = new X509Certificate(ca.certificate);
  const leaf = new X509Certificate(tls.certificate);
  const issuedByCa = leaf.checkIssued(caCertificate) && leaf.verify(caCertificate.publicKey);

  // A job that keeps its own key sends a CSR; the CA signs it for a week.
  const request = await createCsr({
    commonName: 'reporting-job',
    sans: { uri: ['spiffe://acme/reporting'] },
  });
  const issued = await issueCertificateFromCsr(ca, request.csr, {
    extendedKeyUsage: ['clientAuth'],
    validityDays: 7,
  });

  return { tls, caPem: ca.certificate, issuedByCa, logged, job: describeCertificate(issued.certificate) };
}
