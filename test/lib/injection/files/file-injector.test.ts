import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FileInjector,
  RotationWatcher,
  type FileWriteTrigger,
  type WrittenFile,
} from '../../../../lib/injection';
import { FaultyFileSystem } from '../../../support/faulty-fs';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { uniqueName, watchedLocal, type WatchedLocal } from '../watcher/watcher-fixture';

let local: LocalFixture;
let dir: string;
beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keystage-inject-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const MINUTE = 60_000;
const read = (name: string) => readFileSync(join(dir, name), 'utf8');

async function setup() {
  const t: WatchedLocal = watchedLocal(local);
  const watcher = new RotationWatcher(t.client, { clock: t.clock, jitter: 0 });
  const db = uniqueName('db');
  const api = uniqueName('api');
  await t.create(db, JSON.stringify({ username: 'app', password: 'pw-1' }));
  await t.create(api, 'key-1');
  const writes: Array<[string, FileWriteTrigger]> = [];
  const errors: Array<[unknown, string]> = [];
  const logs: string[] = [];
  const log = (level: string) => (message: string, fields?: object) =>
    logs.push(`${level} ${message} ${JSON.stringify(fields)}`);
  const make = (extra: object = {}) =>
    new FileInjector(t.client, {
      directory: dir,
      files: [
        { path: 'db-password', secret: db, field: 'password' },
        { path: 'api-key', secret: api },
        {
          path: 'app.env',
          template: `USER={{ secret "${db}" "username" }}\nPASSWORD={{ secret "${db}" "password" | shell }}\n`,
        },
      ],
      watcher,
      onWrite: (file: WrittenFile, trigger: FileWriteTrigger) => writes.push([file.name, trigger]),
      onError: (error: unknown, file: string) => errors.push([error, file]),
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
      ...extra,
    });
  const advance = (ms: number) => t.clock.advance(ms, () => watcher.settled());
  return { t, watcher, db, api, writes, errors, logs, make, advance };
}

describe('FileInjector', () => {
  it('writes every file at start, mode 0600', async () => {
    const { make, writes, watcher } = await setup();
    const files = make();
    const written = await files.start();
    expect(written.map((file) => file.name)).toEqual(['db-password', 'api-key', 'app.env']);
    expect(read('db-password')).toBe('pw-1');
    expect(read('api-key')).toBe('key-1');
    expect(read('app.env')).toBe("USER=app\nPASSWORD='pw-1'\n");
    for (const name of ['db-password', 'api-key', 'app.env'])
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    expect(writes.sort()).toEqual([
      ['api-key', 'start'],
      ['app.env', 'start'],
      ['db-password', 'start'],
    ]);
    files.close();
    watcher.close();
  });

  it('rewrites the files that read a secret within one interval of its rotation, and only those', async () => {
    const { t, make, db, writes, advance, watcher } = await setup();
    const files = make();
    await files.start();
    writes.length = 0;
    await t.rotate(db, JSON.stringify({ username: 'app', password: 'pw-2' }));
    await advance(MINUTE);
    expect(read('db-password')).toBe('pw-2');
    expect(read('app.env')).toBe("USER=app\nPASSWORD='pw-2'\n");
    expect(read('api-key')).toBe('key-1');
    expect(writes.sort()).toEqual([
      ['app.env', 'schedule'],
      ['db-password', 'schedule'],
    ]);
    expect(files.status().map((file) => [file.name, file.writes, file.error])).toEqual([
      ['db-password', 2, undefined],
      ['api-key', 1, undefined],
      ['app.env', 2, undefined],
    ]);
    files.close();
    watcher.close();
  });

  it('rewrites at once on a pushed rotation event', async () => {
    const { t, make, api, watcher } = await setup();
    const files = make();
    await files.start();
    const version = await t.rotate(api, 'key-2');
    await watcher.handleEvent({
      'detail-type': 'Secret Label Updated',
      source: 'aws.secretsmanager',
      detail: { name: api, labelUpdated: 'AWSCURRENT', versionId: version },
    });
    expect(read('api-key')).toBe('key-2');
    files.close();
    watcher.close();
  });

  it('keeps the old file when a rewrite fails (disk full), reports it, and recovers on the next change', async () => {
    const { t, make, api, errors, logs, advance, watcher } = await setup();
    const disk = new FaultyFileSystem();
    const files = make({ fileSystem: disk.fs });
    await files.start();
    disk.spaceLeft = 0;
    await t.rotate(api, 'key-2-PLANTED');
    await advance(MINUTE);
    expect(read('api-key')).toBe('key-1');
    expect(readdirSync(dir).sort()).toEqual(['api-key', 'app.env', 'db-password']);
    expect(errors).toHaveLength(1);
    expect(errors[0]![1]).toBe(join(dir, 'api-key'));
    expect(errors[0]![0]).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining('ENOSPC'),
    });
    expect(files.status().find((file) => file.name === 'api-key')?.error).toBe('SERVICE_UNAVAILABLE');
    disk.spaceLeft = Number.POSITIVE_INFINITY;
    await t.rotate(api, 'key-3-PLANTED');
    await advance(MINUTE);
    expect(read('api-key')).toBe('key-3-PLANTED');
    expect(files.status().find((file) => file.name === 'api-key')?.error).toBeUndefined();
    const shown = [...logs, JSON.stringify(files), JSON.stringify(errors.map(([error]) => error))].join('\n');
    expect(shown).not.toContain('PLANTED');
    expect(shown).not.toContain('pw-1');
    files.close();
    watcher.close();
  });

  it('rewrite() writes every file again now', async () => {
    const { make, writes, watcher } = await setup();
    const files = make();
    await files.start();
    rmSync(join(dir, 'api-key'));
    await files.rewrite();
    expect(read('api-key')).toBe('key-1');
    expect(writes.filter(([, trigger]) => trigger === 'rewrite')).toHaveLength(3);
    files.close();
    watcher.close();
  });

  it('removes temporary files a crash left behind before the first write', async () => {
    const { make, watcher } = await setup();
    writeFileSync(join(dir, '.api-key.0123456789abcdef.tmp'), 'half a key');
    writeFileSync(join(dir, '.unrelated.0123456789abcdef.tmp'), 'not ours');
    const files = make();
    await files.start();
    expect(readdirSync(dir).sort()).toEqual([
      '.unrelated.0123456789abcdef.tmp',
      'api-key',
      'app.env',
      'db-password',
    ]);
    files.close();
    watcher.close();
  });

  it('stops rewriting after close(), leaving the files', async () => {
    const { t, make, api, advance, watcher } = await setup();
    const files = make();
    await files.start();
    files.close();
    files.close();
    await t.rotate(api, 'key-2');
    await advance(2 * MINUTE);
    expect(read('api-key')).toBe('key-1');
    expect(watcher.stats().watched).toBe(0);
    await expect(files.rewrite()).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(files.start()).rejects.toMatchObject({ code: 'CONFLICT' });
    watcher.close();
  });

  it('fails start(), writing nothing and watching nothing, when a secret cannot be read', async () => {
    const { t, watcher } = await setup();
    const files = new FileInjector(t.client, {
      directory: dir,
      files: [{ path: 'gone', secret: uniqueName('missing') }],
      watcher,
    });
    await expect(files.start()).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
    expect(readdirSync(dir)).toEqual([]);
    expect(watcher.stats().watched).toBe(0);
    watcher.close();
  });

  it('shares one watcher: two injectors of one secret make one DescribeSecret per interval', async () => {
    const { t, make, advance, watcher } = await setup();
    const first = make();
    await first.start();
    const other = mkdtempSync(join(tmpdir(), 'keystage-inject-'));
    const second = make({ directory: other });
    await second.start();
    const before = t.calls.get('DescribeSecret')!;
    await advance(10 * MINUTE);
    expect(t.calls.get('DescribeSecret')! - before).toBe(2 * 10); // two secrets, ten intervals
    first.close();
    second.close();
    watcher.close();
    rmSync(other, { recursive: true, force: true });
  });

  it('makes and closes a watcher of its own when given none', async () => {
    const { t, api } = await setup();
    const files = new FileInjector(t.client, {
      directory: dir,
      files: [{ path: 'api-key', secret: api }],
      watcherOptions: { clock: t.clock, jitter: 0 },
    });
    await files.start();
    await t.rotate(api, 'key-2');
    await t.clock.advance(MINUTE, () => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(read('api-key')).toBe('key-2');
    files.close();
    expect(t.clock.pending).toBe(0);
  });

  it('refuses bad options before any call', async () => {
    const { t, watcher } = await setup();
    const calls = t.calls.get('DescribeSecret');
    const base = { directory: dir, files: [{ path: 'a', secret: 'x' }] };
    for (const [options, field] of [
      [{ ...base, watcher: {} }, 'watcher'],
      [{ ...base, watcher, watcherOptions: {} }, 'watcherOptions'],
      [{ ...base, onWrite: 'x' }, 'onWrite'],
      [{ ...base, onError: 1 }, 'onError'],
      [{ ...base, directory: join(dir, 'missing') }, 'directory'],
    ] as const) {
      expect(() => new FileInjector(t.client, options as never)).toThrow(expect.objectContaining({ field }));
    }
    expect(() => new FileInjector({} as never, base)).toThrow(expect.objectContaining({ field: 'client' }));
    expect(t.calls.get('DescribeSecret')).toBe(calls);
    watcher.close();
  });
});
