import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  CertificateBundle,
  createCertificateAuthority,
  createCsr,
  describeCertificate,
  issueCertificate,
  issueCertificateFromCsr,
  parseCertificateSecret,
} from '../../../lib/generate';
import { ValidationError } from '../../../lib/errors';

// RELIABILITY 53: chains verify with openssl; private keys never show in logs or inspect output.

let dir: string;
let ca: CertificateBundle;
let files = 0;
const NOW = new Date('2026-06-01T12:00:00Z');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keystage-certificates-'));
  ca = await createCertificateAuthority({ commonName: 'Acme Test CA', organization: 'Acme', country: 'DE' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(pem: string): string {
  const path = join(dir, `${files++}.pem`);
  writeFileSync(path, pem);
  return path;
}

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const text = (pem: string) => openssl(['x509', '-noout', '-text', '-in', file(pem)]);

/** Runs `fn` expecting a ValidationError and returns it. */
async function refused(fn: () => Promise<unknown>): Promise<ValidationError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('createCertificateAuthority', () => {
  it('makes a self-signed CA: CA:TRUE and keyCertSign + cRLSign, both critical, an empty chain', () => {
    const printed = text(ca.certificate);
    expect(printed).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
    expect(printed).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(printed).toMatch(/Subject: C\s?=\s?DE, O\s?=\s?Acme, CN\s?=\s?Acme Test CA/);
    const certificate = new X509Certificate(ca.certificate);
    expect(certificate.ca).toBe(true);
    expect(certificate.subject).toBe(certificate.issuer);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(ca.chain).toBe('');
    expect(ca.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(certificate.checkPrivateKey(createPrivateKey(ca.privateKey))).toBe(true);
  });

  it('makes an intermediate CA whose chain is its issuer; openssl verifies a leaf through it', async () => {
    const intermediate = await createCertificateAuthority({
      commonName: 'Acme Issuing CA',
      issuer: ca,
      pathLength: 0,
    });
    expect(intermediate.chain).toBe(ca.certificate);
    expect(text(intermediate.certificate)).toMatch(/CA:TRUE, pathlen:0/);
    const leaf = await issueCertificate(intermediate, { commonName: 'deep.internal' });
    expect(leaf.chain).toBe(intermediate.certificate + ca.certificate);
    expect(
      openssl([
        'verify',
        '-CAfile',
        file(ca.certificate),
        '-untrusted',
        file(intermediate.certificate),
        file(leaf.certificate),
      ]),
    ).toMatch(/: OK\n$/);
  });
});

describe('issueCertificate', () => {
  it('issues an ECDSA P-256 leaf that openssl verifies against the CA for TLS servers', async () => {
    const leaf = await issueCertificate(ca, { commonName: 'api.internal', sans: { dns: ['api.internal'] } });
    expect(
      openssl(['verify', '-purpose', 'sslserver', '-CAfile', file(ca.certificate), file(leaf.certificate)]),
    ).toMatch(/: OK\n$/);
    const printed = text(leaf.certificate);
    expect(printed).toMatch(/Public Key Algorithm: id-ecPublicKey[\s\S]*NIST CURVE: P-256/);
    expect(printed).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(printed).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(printed).toMatch(/X509v3 Extended Key Usage:\s*\n\s+TLS Web Server Authentication\n/);
    expect(printed).toMatch(/X509v3 Authority Key Identifier/);
    expect(printed).toMatch(/Issuer: C\s?=\s?DE, O\s?=\s?Acme, CN\s?=\s?Acme Test CA/);
    expect(leaf.chain).toBe(ca.certificate);
    expect(new X509Certificate(leaf.certificate).checkPrivateKey(createPrivateKey(leaf.privateKey))).toBe(
      true,
    );
  });

  it.each([
    ['rsa-2048', 2048],
    ['rsa-3072', 3072],
  ] as const)('issues a %s leaf with keyEncipherment too', async (keyAlgorithm, bits) => {
    const leaf = await issueCertificate(ca, {
      commonName: 'rsa.internal',
      keyAlgorithm,
      extendedKeyUsage: ['clientAuth'],
    });
    const printed = text(leaf.certificate);
    expect(printed).toContain(`Public-Key: (${bits} bit)`);
    expect(printed).toMatch(/Digital Signature, Key Encipherment/);
    expect(printed).toMatch(/TLS Web Client Authentication/);
    expect(
      openssl(['verify', '-purpose', 'sslclient', '-CAfile', file(ca.certificate), file(leaf.certificate)]),
    ).toMatch(/OK/);
    expect(describeCertificate(leaf.certificate).keyAlgorithm).toBe(keyAlgorithm);
  });

  it('writes DNS, IP (v4 and v6) and URI names; without sans, the common name', async () => {
    const leaf = await issueCertificate(ca, {
      commonName: 'svc',
      sans: {
        dns: ['svc.internal', '*.svc.internal'],
        ip: ['10.1.2.3', '2001:db8::7'],
        uri: ['spiffe://acme/svc'],
      },
    });
    expect(describeCertificate(leaf.certificate).sans).toEqual({
      dns: ['svc.internal', '*.svc.internal'],
      ip: ['10.1.2.3', '2001:db8::7'],
      uri: ['spiffe://acme/svc'],
    });
    const byName = await issueCertificate(ca, { commonName: '192.168.0.9' });
    expect(describeCertificate(byName.certificate).sans).toEqual({ dns: [], ip: ['192.168.0.9'], uri: [] });
    expect(new X509Certificate(byName.certificate).checkIP('192.168.0.9')).toBe('192.168.0.9');
  });

  it('starts backdateSeconds before now and ends validityDays after, never after the CA', async () => {
    const shortCa = await createCertificateAuthority({ commonName: 'Short CA', validityDays: 10, now: NOW });
    const leaf = await issueCertificate(shortCa, { commonName: 'a.internal', validityDays: 5, now: NOW });
    expect(describeCertificate(leaf.certificate)).toMatchObject({
      notBefore: new Date(NOW.getTime() - 300_000),
      notAfter: new Date(NOW.getTime() + 5 * 86_400_000),
      validityDays: 5,
    });
    const clamped = await issueCertificate(shortCa, {
      commonName: 'a.internal',
      validityDays: 90,
      backdateSeconds: 0,
      now: NOW,
    });
    const caEnd = describeCertificate(shortCa.certificate).notAfter;
    expect(describeCertificate(clamped.certificate)).toMatchObject({ notBefore: NOW, notAfter: caEnd });
  });

  it('gives each certificate a distinct positive serial of 16 bytes', async () => {
    const serials = await Promise.all(
      Array.from(
        { length: 8 },
        async () =>
          describeCertificate((await issueCertificate(ca, { commonName: 's.internal' })).certificate)
            .serialNumber,
      ),
    );
    expect(new Set(serials).size).toBe(8);
    for (const serial of serials) expect(serial).toMatch(/^[4-7][0-9A-F]{31}$/);
  });

  it.each([
    [{ commonName: '' }, 'certificate.commonName'],
    [{ commonName: 'x'.repeat(65) }, 'certificate.commonName'],
    [{ commonName: 'a', country: 'Germany' }, 'certificate.country'],
    [{ commonName: 'a', sans: { dns: ['bad_name.example'] } }, 'sans.dns[0]'],
    [{ commonName: 'a', sans: { dns: ['ok.example', 'a.*.example'] } }, 'sans.dns[1]'],
    [{ commonName: 'a', sans: { dns: ['bücher.example'] } }, 'sans.dns[0]'],
    [{ commonName: 'a', sans: { ip: ['10.0.0.256'] } }, 'sans.ip[0]'],
    [{ commonName: 'a', sans: { ip: ['api.internal'] } }, 'sans.ip[0]'],
    [{ commonName: 'a', sans: { uri: ['no scheme'] } }, 'sans.uri[0]'],
    [{ commonName: 'a', sans: { email: ['a@b.c'] } }, 'sans.email'],
    [{ commonName: 'a', keyAlgorithm: 'rsa-1024' }, 'keyAlgorithm'],
    [{ commonName: 'a', extendedKeyUsage: ['codeSigning'] }, 'extendedKeyUsage'],
    [{ commonName: 'a', validityDays: 0 }, 'validityDays'],
    [{ commonName: 'a', validityDays: 1.5 }, 'validityDays'],
    [{ commonName: 'a', backdateSeconds: -1 }, 'backdateSeconds'],
  ])('refuses %p naming %s', async (options, field) => {
    expect((await refused(() => issueCertificate(ca, options as never))).field).toBe(field);
  });

  it('refuses a CA that is not a CA, a key that is not its own, and an expired CA', async () => {
    const leaf = await issueCertificate(ca, { commonName: 'leaf.internal' });
    expect((await refused(() => issueCertificate(leaf, { commonName: 'x.internal' }))).field).toBe(
      'ca.certificate',
    );
    const mismatched = { certificate: ca.certificate, privateKey: leaf.privateKey };
    expect((await refused(() => issueCertificate(mismatched, { commonName: 'x.internal' }))).field).toBe(
      'ca.privateKey',
    );
    const later = new Date(Date.now() + 4000 * 86_400_000);
    const error = await refused(() => issueCertificate(ca, { commonName: 'x.internal', now: later }));
    expect(error.field).toBe('ca.certificate');
    expect(error.message).toContain('not now');
    const dsa = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(
      (
        await refused(() =>
          issueCertificate({ certificate: ca.certificate, privateKey: dsa }, { commonName: 'x' }),
        )
      ).field,
    ).toBe('ca.privateKey');
  });
});

describe('createCsr and issueCertificateFromCsr', () => {
  it('makes a CSR openssl verifies, and issues for its subject and names', async () => {
    const request = await createCsr({
      commonName: 'csr.internal',
      organization: 'Acme',
      sans: { dns: ['csr.internal'], ip: ['10.9.9.9'] },
    });
    expect(openssl(['req', '-verify', '-noout', '-in', file(request.csr)])).toBe('');
    const issued = await issueCertificateFromCsr(ca, request.csr, {
      extendedKeyUsage: ['serverAuth', 'clientAuth'],
    });
    expect(issued.chain).toBe(ca.certificate);
    expect(describeCertificate(issued.certificate)).toMatchObject({
      commonName: 'csr.internal',
      organization: 'Acme',
      sans: { dns: ['csr.internal'], ip: ['10.9.9.9'], uri: [] },
      extendedKeyUsage: ['serverAuth', 'clientAuth'],
    });
    expect(
      new X509Certificate(issued.certificate).checkPrivateKey(createPrivateKey(request.privateKey)),
    ).toBe(true);
    expect(openssl(['verify', '-CAfile', file(ca.certificate), file(issued.certificate)])).toMatch(/OK/);
  });

  it('issues for an openssl-made CSR, replacing its names when sans is given', async () => {
    const key = join(dir, 'openssl.key');
    const csr = join(dir, 'openssl.csr');
    openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=ext.internal',
      '-keyout',
      key,
      '-out',
      csr,
    ]);
    const issued = await issueCertificateFromCsr(ca, execFileSync('cat', [csr], { encoding: 'utf8' }), {
      sans: { dns: ['ext.internal'] },
    });
    expect(describeCertificate(issued.certificate).sans.dns).toEqual(['ext.internal']);
  });

  it('refuses a CSR whose signature does not verify, and text that is not a CSR', async () => {
    const request = await createCsr({ commonName: 'tamper.internal' });
    // The same request with one byte of its subject changed: well formed, signature now wrong.
    const der = Buffer.from(request.csr.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    const at = der.indexOf('tamper');
    der[at] = 'T'.charCodeAt(0);
    const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const error = await refused(() => issueCertificateFromCsr(ca, pem));
    expect(error.message).toContain('does not verify');
    expect(error.field).toBe('csr');
    expect((await refused(() => issueCertificateFromCsr(ca, 'hello'))).field).toBe('csr');
  });
});

describe('private keys never show', () => {
  it('in JSON, inspect, String, spreads or keys; toSecretString is the one way out', async () => {
    const leaf = await issueCertificate(ca, { commonName: 'quiet.internal' });
    const request = await createCsr({ commonName: 'quiet.internal' });
    const keyLine = (pem: string) => pem.split('\n')[1]!;
    for (const holder of [leaf, ca, request]) {
      const shown = [
        JSON.stringify(holder),
        JSON.stringify({ nested: { holder } }),
        inspect(holder),
        inspect({ holder }, { depth: 5, showHidden: true }),
        String(holder),
        `${holder}`,
        JSON.stringify({ ...holder }),
        Object.keys(holder).join(','),
      ].join('\n');
      expect(shown).not.toContain('PRIVATE KEY');
      expect(shown).not.toContain(keyLine(holder.privateKey));
      expect(shown).toContain('[REDACTED]');
    }
    expect(JSON.parse(leaf.toSecretString())).toEqual({
      certificate: leaf.certificate,
      privateKey: leaf.privateKey,
      chain: leaf.chain,
    });
    expect(parseCertificateSecret(leaf.toSecretString()).privateKey).toBe(leaf.privateKey);
  });

  it('in the errors of a bad key or a mismatched one', async () => {
    const leaf = await issueCertificate(ca, { commonName: 'err.internal' });
    const broken = leaf.privateKey.replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA');
    for (const privateKey of [broken, leaf.privateKey]) {
      const error = await refused(() =>
        issueCertificate({ certificate: ca.certificate, privateKey }, { commonName: 'x' }),
      );
      const everything = [
        error.message,
        JSON.stringify(error),
        inspect(error, { depth: 10 }),
        String(error.stack),
      ].join('\n');
      expect(everything).not.toContain(keyLine(privateKey));
      expect(everything).not.toContain(keyLine(broken));
    }
    function keyLine(pem: string) {
      return pem.split('\n')[2]!;
    }
  });

  it('parseCertificateSecret names the missing field and quotes nothing', () => {
    const value = JSON.stringify({ certificate: 'x', privateKey: 42, secret: 'do-not-show' });
    let error: unknown;
    try {
      parseCertificateSecret(value, 'ca');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ field: 'ca.privateKey' });
    expect(JSON.stringify(error)).not.toContain('do-not-show');
  });
});
