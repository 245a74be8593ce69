import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSecretFiles, type WriteSecretFilesOptions } from '../../../../lib/injection';
import { FaultyFileSystem } from '../../../support/faulty-fs';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { uniqueName, watchedLocal, type WatchedLocal } from '../watcher/watcher-fixture';

let local: LocalFixture;
let t: WatchedLocal;
let dir: string;
const PASSWORD = 'PLANTED-pw-9d1c';
let db: string;
let stripe: string;
let key: string;

beforeAll(async () => {
  local = await startLocal();
  t = watchedLocal(local);
  db = uniqueName('db');
  stripe = uniqueName('stripe');
  key = uniqueName('key');
  await t.create(db, JSON.stringify({ username: 'app', password: PASSWORD, port: 5432 }));
  await t.create(stripe, 'sk_live_PLANTED');
  await t.writer.send(new CreateSecretCommand({ Name: key, SecretBinary: Uint8Array.from([0, 1, 2, 255]) }));
});
afterAll(() => local.endpoint.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keystage-write-'));
  t.calls.clear();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeSecretFiles', () => {
  it('writes whole values, JSON fields, binary values and templates, each with mode 0600', async () => {
    const written = await writeSecretFiles(t.client, {
      directory: dir,
      files: [
        { path: 'db.json', secret: db },
        { path: 'db-password', secret: db, field: 'password' },
        { path: 'db-port', secret: db, field: 'port' },
        { path: 'signing.key', secret: key, binary: true },
        {
          path: 'app.env',
          template: `DB_USER={{ secret "${db}" "username" }}\nSTRIPE={{ secret "${stripe}" | shell }}\n`,
        },
        { path: 'group-readable', secret: stripe, mode: 0o640 },
      ],
    });
    expect(readFileSync(join(dir, 'db.json'), 'utf8')).toBe(
      JSON.stringify({ username: 'app', password: PASSWORD, port: 5432 }),
    );
    expect(readFileSync(join(dir, 'db-password'), 'utf8')).toBe(PASSWORD);
    expect(readFileSync(join(dir, 'db-port'), 'utf8')).toBe('5432');
    expect([...readFileSync(join(dir, 'signing.key'))]).toEqual([0, 1, 2, 255]);
    expect(readFileSync(join(dir, 'app.env'), 'utf8')).toBe("DB_USER=app\nSTRIPE='sk_live_PLANTED'\n");
    for (const name of ['db.json', 'db-password', 'db-port', 'signing.key', 'app.env']) {
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(join(dir, 'group-readable')).mode & 0o777).toBe(0o640);
    expect(written.map((file) => [file.name, file.path, file.secrets])).toEqual([
      ['db.json', join(dir, 'db.json'), [db]],
      ['db-password', join(dir, 'db-password'), [db]],
      ['db-port', join(dir, 'db-port'), [db]],
      ['signing.key', join(dir, 'signing.key'), [key]],
      ['app.env', join(dir, 'app.env'), [db, stripe]],
      ['group-readable', join(dir, 'group-readable'), [stripe]],
    ]);
    // The result says where and how much, never what.
    expect(JSON.stringify(written)).not.toContain(PASSWORD);
    expect(JSON.stringify(written)).not.toContain('sk_live_PLANTED');
    expect(readdirSync(dir).sort()).toEqual(
      ['app.env', 'db-password', 'db-port', 'db.json', 'group-readable', 'signing.key'].sort(),
    );
  });

  it('writes nothing when one value cannot be read, and names the missing field but no value', async () => {
    const error = await writeSecretFiles(t.client, {
      directory: dir,
      files: [
        { path: 'fine', secret: stripe },
        { path: 'broken', secret: db, field: 'pasword' },
      ],
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DECODE_ERROR', secretId: db });
    expect((error as Error).message).toContain('"pasword"');
    expect((error as Error).message).toContain('"password"'); // the fields there are: keys, not values
    expect((error as Error).message).not.toContain(PASSWORD);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a field of a value that is not a JSON object', async () => {
    await expect(
      writeSecretFiles(t.client, { directory: dir, files: [{ path: 'x', secret: stripe, field: 'k' }] }),
    ).rejects.toMatchObject({
      code: 'DECODE_ERROR',
      message: expect.not.stringContaining('sk_live_PLANTED'),
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a full disk, keeping the previous file', async () => {
    writeFileSync(join(dir, 'db.json'), 'previous');
    const disk = new FaultyFileSystem();
    disk.failWrites = 1;
    await expect(
      writeSecretFiles(t.client, {
        directory: dir,
        files: [{ path: 'db.json', secret: db }],
        fileSystem: disk.fs,
      }),
    ).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('ENOSPC') });
    expect(readFileSync(join(dir, 'db.json'), 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['db.json']);
  });

  it.each<[string, (dir: string) => unknown, string]>([
    [
      'a missing directory',
      (d) => ({ directory: join(d, 'nope'), files: [{ path: 'a', secret: 'x' }] }),
      'directory',
    ],
    [
      'a file as the directory',
      (d) => (
        writeFileSync(join(d, 'f'), ''),
        { directory: join(d, 'f'), files: [{ path: 'a', secret: 'x' }] }
      ),
      'directory',
    ],
    ['no files', (d) => ({ directory: d, files: [] }), 'files'],
    [
      'a path with a separator',
      (d) => ({ directory: d, files: [{ path: '../escape', secret: 'x' }] }),
      'files[0].path',
    ],
    ['a path of ..', (d) => ({ directory: d, files: [{ path: '..', secret: 'x' }] }), 'files[0].path'],
    [
      'a mode others can read',
      (d) => ({ directory: d, files: [{ path: 'a', secret: 'x', mode: 0o644 }] }),
      'files[0].mode',
    ],
    [
      'an executable mode',
      (d) => ({ directory: d, files: [{ path: 'a', secret: 'x', mode: 0o700 }] }),
      'files[0].mode',
    ],
    [
      'secret and template',
      (d) => ({ directory: d, files: [{ path: 'a', secret: 'x', template: 'y' }] }),
      'files[0]',
    ],
    ['neither secret nor template', (d) => ({ directory: d, files: [{ path: 'a' }] }), 'files[0]'],
    [
      'field with template',
      (d) => ({ directory: d, files: [{ path: 'a', template: 'y', field: 'k' }] }),
      'files[0].field',
    ],
    [
      'binary with field',
      (d) => ({ directory: d, files: [{ path: 'a', secret: 'x', field: 'k', binary: true }] }),
      'files[0].binary',
    ],
    [
      'a bad template',
      (d) => ({
        directory: d,
        files: [
          { path: 'a', secret: 'x' },
          { path: 'b', template: '{{ oops }}' },
        ],
      }),
      'files[1].template',
    ],
    [
      'the same path twice',
      (d) => ({
        directory: d,
        files: [
          { path: 'a', secret: 'x' },
          { path: 'a', secret: 'y' },
        ],
      }),
      'files[1].path',
    ],
    [
      'an unknown file option',
      (d) => ({ directory: d, files: [{ path: 'a', secret: 'x', owner: 'root' }] }),
      'files[0].owner',
    ],
    [
      'an unknown option',
      (d) => ({ directory: d, files: [{ path: 'a', secret: 'x' }], atomic: false }),
      'atomic',
    ],
  ])('refuses %s before reading or writing anything', async (_, options, field) => {
    await expect(writeSecretFiles(t.client, options(dir) as WriteSecretFilesOptions)).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field,
    });
    expect(t.calls.size).toBe(0);
    expect(readdirSync(dir).filter((entry) => entry !== 'f')).toEqual([]);
  });

  it('reads through the client pipeline: each read is audited, none shows a value', async () => {
    const events: unknown[] = [];
    const audited = watchedLocal(local, { audit: { record: (event) => void events.push(event) } });
    await writeSecretFiles(audited.client, {
      directory: dir,
      files: [
        { path: 'p', secret: db, field: 'password' },
        { path: 's', template: `{{ secret "${stripe}" }}` },
      ],
    });
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'getJson', success: true }),
        expect.objectContaining({ action: 'get', success: true }),
      ]),
    );
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });
});
