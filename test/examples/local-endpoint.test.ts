import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localEndpointExample } from '../../examples/local-endpoint';

const root = join(__dirname, '..', '..');

describe('README local endpoint example', () => {
  it('shows exactly the code of examples/local-endpoint.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Local Secrets Manager + KMS endpoint'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'local-endpoint.ts'), 'utf8'));
  });

  it('runs: the secret written before the restart is read after it, from encrypted files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keystage-example-'));
    try {
      await expect(localEndpointExample(dir)).resolves.toBe('sk_test_local');
      expect(readdirSync(dir).sort()).toEqual(['log-000001.ksl', 'master.key']);
      expect(readFileSync(join(dir, 'log-000001.ksl')).includes('sk_test_local')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
