import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDir } from '../../../../lib/local/storage/data-dir';
import { nodeFileSystem } from '../../../../lib/local/storage/file-system';

/** The pid of a process that has exited (and so holds nothing). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('DataDir', () => {
  let path: string;
  beforeEach(() => {
    path = mkdtempSync(join(tmpdir(), 'keystage-datadir-'));
  });
  afterEach(() => rmSync(path, { recursive: true, force: true }));

  describe('lock', () => {
    it('refuses a second opener while the first holds it, naming the holder', () => {
      const first = DataDir.open(path, nodeFileSystem);
      expect(() => DataDir.open(path, nodeFileSystem)).toThrow(
        expect.objectContaining({
          code: 'VALIDATION_ERROR',
          field: 'dataDir',
          message: expect.stringContaining(`in use by process ${process.pid}`),
        }),
      );
      first.releaseSync();
      const second = DataDir.open(path, nodeFileSystem);
      second.releaseSync();
    });

    it('takes over the lock of a process that is gone', () => {
      const pid = deadPid();
      writeFileSync(join(path, 'lock'), JSON.stringify({ pid, host: hostname() }));
      const dir = DataDir.open(path, nodeFileSystem);
      expect(JSON.parse(readFileSync(join(path, 'lock'), 'utf8'))).toMatchObject({ pid: process.pid });
      dir.releaseSync();
      expect(existsSync(join(path, 'lock'))).toBe(false);
    });

    it('takes over a lock written before the machine last booted, even if its pid is in use now', () => {
      writeFileSync(
        join(path, 'lock'),
        JSON.stringify({
          pid: process.pid,
          host: hostname(),
          bootId: '00000000-0000-0000-0000-000000000000',
        }),
      );
      const dir = DataDir.open(path, nodeFileSystem);
      expect(JSON.parse(readFileSync(join(path, 'lock'), 'utf8')).bootId).not.toBe(
        '00000000-0000-0000-0000-000000000000',
      );
      dir.releaseSync();
    });
  });

  describe('master key', () => {
    it('is created (mode 0600) only for a directory without state', () => {
      const dir = DataDir.open(path, nodeFileSystem);
      const key = dir.masterKey(false);
      expect(key).toHaveLength(32);
      expect(dir.masterKey(false)).toEqual(key);
      dir.releaseSync();
    });

    it('is refused, and none is created, when it is missing next to existing state', () => {
      const dir = DataDir.open(path, nodeFileSystem);
      expect(() => dir.masterKey(true)).toThrow(
        expect.objectContaining({
          code: 'DECODE_ERROR',
          message: expect.stringContaining('master.key is missing'),
        }),
      );
      expect(readdirSync(path).filter((name) => name.startsWith('master.key'))).toEqual([]);
      dir.releaseSync();
    });

    it('is refused when it is not 32 bytes of base64', () => {
      writeFileSync(join(path, 'master.key'), 'c2hvcnQ=');
      const dir = DataDir.open(path, nodeFileSystem);
      expect(() => dir.masterKey(true)).toThrow(/is not a keystage master key/);
      dir.releaseSync();
    });
  });
});
