import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsClient } from '../../lib';
import { certificatesExample } from '../../examples/certificates';
import { startLocal } from '../support/local-endpoint';

const root = join(__dirname, '..', '..');

describe('README certificates', () => {
  it('shows exactly the code of examples/certificates.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Certificates'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'certificates.ts'), 'utf8'));
  });

  it('runs: the leaf verifies with openssl against the CA, its key never shows, the CSR is signed', async () => {
    const local = await startLocal();
    const secrets = new SecretsClient({ secretsManager: local.sm() });
    const dir = mkdtempSync(join(tmpdir(), 'keystage-example-certificates-'));
    try {
      const { tls, caPem, issuedByCa, logged, job } = await certificatesExample(secrets);
      expect(issuedByCa).toBe(true);
      writeFileSync(join(dir, 'ca.pem'), caPem);
      writeFileSync(join(dir, 'leaf.pem'), tls.certificate);
      const verified = execFileSync(
        'openssl',
        ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')],
        {
          encoding: 'utf8',
        },
      );
      expect(verified).toBe(`${join(dir, 'leaf.pem')}: OK\n`);
      expect(tls.chain).toBe(caPem);
      expect(logged).toContain('"privateKey":"[REDACTED]"');
      expect(logged).not.toContain('PRIVATE KEY');
      expect(job).toMatchObject({
        commonName: 'reporting-job',
        sans: { dns: [], ip: [], uri: ['spiffe://acme/reporting'] },
        extendedKeyUsage: ['clientAuth'],
        validityDays: 7,
      });
    } finally {
      secrets.close();
      rmSync(dir, { recursive: true, force: true });
      await local.endpoint.close();
    }
  });
});
