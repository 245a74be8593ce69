import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsClient } from '../../lib';
import { backupExample } from '../../examples/backup';
import { startLocal } from '../support/local-endpoint';

const root = join(__dirname, '..', '..');

describe('README backup and restore', () => {
  it('shows exactly the code of examples/backup.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Backup and restore'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'backup.ts'), 'utf8'));
  });

  it('runs: a backup, its verification, a dry run and a restore of a deleted secret with RestoreSecret', async () => {
    const local = await startLocal();
    try {
      const secrets = new SecretsClient({ secretsManager: local.sm(), kms: local.kms() });
      const dir = mkdtempSync(join(tmpdir(), 'keystage-backup-example-'));
      const destination = join(dir, 'prod.ksb');
      expect(await backupExample(secrets, destination)).toEqual({
        backedUp: { secrets: 1, versions: 2 },
        verified: { secrets: 1, environments: ['prod'] },
        planned: ['undelete prod/billing/stripe_live_key'],
        steps: ['undelete'],
        outcome: 'restored',
        rerun: ['unchanged'],
        current: 'sk_live_51ExampleRotatedKey',
      });
      rmSync(dir, { recursive: true, force: true });
    } finally {
      await local.endpoint.close();
    }
  });
});
