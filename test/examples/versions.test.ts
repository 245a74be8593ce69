import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretsClient } from '../../lib/client';
import type { AuditEntry } from '../../lib/audit/audit-event';
import { versionsExample } from '../../examples/versions';
import { postgresFixture, type DatabaseFixture } from '../support/db-fixtures';
import { startLocal, type LocalFixture } from '../support/local-endpoint';

const root = join(__dirname, '..', '..');

describe('README versions example', () => {
  let local: LocalFixture;
  let db: DatabaseFixture;
  beforeAll(async () => {
    local = await startLocal();
    db = await postgresFixture('versions');
  });
  afterAll(async () => {
    await db?.cleanup();
    await local.endpoint.close();
  });

  it('shows exactly the code of examples/versions.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const start = readme.indexOf('### Versions: diff, exists and test');
    expect(start).toBeGreaterThanOrEqual(0);
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'versions.ts'), 'utf8'));
  });

  it('runs: the diff names the keys, the bad password fails its login, the rollback restores one that works', async () => {
    const events: AuditEntry[] = [];
    const secrets = new SecretsClient({
      secretsManager: local.sm(),
      audit: { record: (e) => void events.push(e) },
    });
    const result = await versionsExample(secrets, {
      host: db.host,
      port: db.port,
      dbname: db.dbname,
      ...db.app,
    });
    expect(result.changes).toMatchObject({
      format: 'json',
      changed: true,
      keys: { added: ['pool'], removed: [], changed: ['password'], unchanged: 6 },
    });
    expect(result.current).toEqual([
      expect.stringMatching(/^shape: ok$/),
      'login: PostgreSQL refused the credentials (SQLSTATE 28P01 invalid_password).',
    ]);
    expect(result).toMatchObject({ previousOk: true, nowOk: true, missing: false });
    const shown = JSON.stringify([result, events]);
    expect(shown).not.toContain('typed-by-hand');
    expect(shown).not.toContain(db.app.password);
  });
});
