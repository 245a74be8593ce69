import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretsClient } from '../../lib';
import { exportImportExample } from '../../examples/export-import';
import { startLocal } from '../support/local-endpoint';

const root = join(__dirname, '..', '..');

describe('README export and import', () => {
  it('shows exactly the code of examples/export-import.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Export and import bundles'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'export-import.ts'), 'utf8'));
  });

  it('runs: export, verify, plan, import, a rerun that writes nothing, a wrong passphrase refused', async () => {
    const local = await startLocal();
    try {
      const secrets = new SecretsClient({ secretsManager: local.sm(), kms: local.kms() });
      expect(await exportImportExample(secrets)).toEqual({
        exported: 2,
        verified: 2,
        plan: ['created staging/billing/db', 'created staging/billing/stripe'],
        counts: { created: 2, updated: 0, unchanged: 0, skipped: 0 },
        rerun: { created: 0, updated: 0, unchanged: 2, skipped: 0 },
        rerunOutcomes: ['unchanged staging/billing/db', 'unchanged staging/billing/stripe'],
        stagingDb: { username: 'billing', password: 'example-only' },
        refused: 'wrong-key',
      });
    } finally {
      await local.endpoint.close();
    }
  });
});
