import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SecretsClient } from '../../lib';
import { fileInjectionExample } from '../../examples/file-injection';
import { startLocal } from '../support/local-endpoint';

const root = join(__dirname, '..', '..');

describe('README file injection and the rotation watcher', () => {
  it('shows exactly the code of examples/file-injection.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### File injection and the rotation watcher'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'file-injection.ts'), 'utf8'));
  });

  it('runs: the files hold the rotated password, with mode 0600, each written twice', async () => {
    const local = await startLocal();
    try {
      const secrets = new SecretsClient({ secretsManager: local.sm(), kms: local.kms() });
      const { directory, ...result } = await fileInjectionExample(secrets);
      rmSync(directory, { recursive: true, force: true });
      expect(result).toEqual({
        password: 'rotated-horse-battery-staple',
        env: "PGHOST=db.internal\nPGPASSWORD='rotated-horse-battery-staple'\n",
        mode: '600',
        status: [
          { name: 'db.json', writes: 2, error: undefined },
          { name: 'db-password', writes: 2, error: undefined },
          { name: 'database.env', writes: 2, error: undefined },
        ],
      });
    } finally {
      await local.endpoint.close();
    }
  });
});
