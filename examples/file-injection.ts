import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsClient } from 'keystage';
import { FileInjector, RotationWatcher } from 'keystage/injection';

export async function fileInjectionExample(secrets = new SecretsClient()) {
  const db = { username: 'billing_app', password: 'correct-horse-battery-staple', host: 'db.internal' };
  await secrets.create({ environment: 'prod', service: 'billing', name: 'db', kind: 'json', value: db });

  // One watcher for the process: one DescribeSecret per secret per interval (±10 % jitter),
  // however many injectors and listeners share it.
  const watcher = new RotationWatcher(secrets, { intervalMs: 60_000 });

  // In production a tmpfs mount such as /run/secrets; the directory must exist.
  const directory = mkdtempSync(join(tmpdir(), 'keystage-files-'));
  const files = new FileInjector(secrets, {
    directory,
    watcher,
    files: [
      { path: 'db.json', secret: 'prod/billing/db' }, // the whole value
      { path: 'db-password', secret: 'prod/billing/db', field: 'password' }, // one JSON field
      {
        path: 'database.env', // a template, as `op inject` renders one; `| shell` quotes for sh
        template:
          'PGHOST={{ secret "prod/billing/db" "host" }}\n' +
          'PGPASSWORD={{ secret "prod/billing/db" "password" | shell }}\n',
      },
    ],
  });
  await files.start(); // each file: temp file, fsync, rename, fsync of the directory; mode 0600

  // A rotation: the watcher's next poll, or an EventBridge event passed to
  // watcher.handleEvent, sees AWSCURRENT move; the cache forgets the old value and the files
  // that read the secret are replaced. A reader sees the old file or the new one, never part.
  await secrets.put('prod/billing/db', { ...db, password: 'rotated-horse-battery-staple' });
  await watcher.refreshNow('prod/billing/db'); // stands in for that poll here

  const result = {
    password: readFileSync(join(directory, 'db-password'), 'utf8'),
    env: readFileSync(join(directory, 'database.env'), 'utf8'),
    mode: (statSync(join(directory, 'db-password')).mode & 0o777).toString(8),
    status: files.status().map(({ name, writes, error }) => ({ name, writes, error })),
    directory,
  };
  files.close(); // stops rewriting; the files stay
  watcher.close();
  return result;
}
