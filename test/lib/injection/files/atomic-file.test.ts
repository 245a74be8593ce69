import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { replaceFile, type InjectionFileSystem } from '../../../../lib/injection/files/atomic-file';
import { FaultyFileSystem } from '../../../support/faulty-fs';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keystage-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** node:fs, recording each call by name with its path or mode. */
function recordingFs(): { files: InjectionFileSystem; calls: string[] } {
  const calls: string[] = [];
  const files = {
    ...fs,
    open: ((
      path: string,
      flags: string,
      mode: number,
      callback: (error: Error | null, fd: number) => void,
    ) => {
      calls.push(
        `open ${path.split('/').pop()} ${flags}${typeof mode === 'number' ? ` 0o${mode.toString(8)}` : ''}`,
      );
      return typeof mode === 'function' ? fs.open(path, flags, mode) : fs.open(path, flags, mode, callback);
    }) as typeof fs.open,
    rename: ((from: string, to: string, callback: (error: Error | null) => void) => {
      calls.push(`rename ${to.split('/').pop()}`);
      fs.rename(from, to, callback);
    }) as typeof fs.rename,
    fsync: ((fd: number, callback: (error: Error | null) => void) => {
      calls.push('fsync');
      fs.fsync(fd, callback);
    }) as typeof fs.fsync,
  };
  return { files: files as InjectionFileSystem, calls };
}

describe('replaceFile', () => {
  it('writes a temporary file created with the mode, syncs it, renames it over the target, syncs the directory', async () => {
    const { files, calls } = recordingFs();
    await replaceFile(files, dir, 'db.json', Buffer.from('{"password":"x"}'), 0o600);
    expect(calls.map((call) => call.replace(/\.[0-9a-f]{16}\.tmp/, '.<random>.tmp'))).toEqual([
      'open .db.json.<random>.tmp wx 0o600',
      'fsync',
      'rename db.json',
      `open ${dir.split('/').pop()} r`,
      'fsync',
    ]);
    expect(readFileSync(join(dir, 'db.json'), 'utf8')).toBe('{"password":"x"}');
    expect(readdirSync(dir)).toEqual(['db.json']);
  });

  it('gives the file mode 0600 even under a permissive umask, and keeps it 0600 when replacing a wider file', async () => {
    writeFileSync(join(dir, 'key'), 'old', { mode: 0o644 });
    const previous = process.umask(0);
    try {
      await replaceFile(fs, dir, 'key', Buffer.from('new'), 0o600);
      await replaceFile(fs, dir, 'fresh', Buffer.from('new'), 0o600);
    } finally {
      process.umask(previous);
    }
    expect(statSync(join(dir, 'key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'fresh')).mode & 0o777).toBe(0o600);
  });

  it('leaves the previous file intact and no temporary file when the disk is full', async () => {
    writeFileSync(join(dir, 'db.json'), 'previous contents', { mode: 0o600 });
    const disk = new FaultyFileSystem();
    disk.spaceLeft = 10; // a short write, then ENOSPC
    const error = await replaceFile(disk.fs, dir, 'db.json', Buffer.alloc(4096, 'n'), 0o600).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    expect((error as Error).message).toContain('ENOSPC');
    expect((error as Error).message).toContain(join(dir, 'db.json'));
    expect((error as Error).message).toContain('the previous file is unchanged');
    expect(readFileSync(join(dir, 'db.json'), 'utf8')).toBe('previous contents');
    expect(readdirSync(dir)).toEqual(['db.json']);
  });

  it('leaves the previous file intact when the file cannot be synced', async () => {
    writeFileSync(join(dir, 'db.json'), 'previous contents');
    const disk = new FaultyFileSystem();
    disk.failSync = true;
    await expect(replaceFile(disk.fs, dir, 'db.json', Buffer.from('next'), 0o600)).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining('EIO'),
    });
    expect(readFileSync(join(dir, 'db.json'), 'utf8')).toBe('previous contents');
    expect(readdirSync(dir)).toEqual(['db.json']);
  });

  it('never follows a file planted where the temporary one goes', async () => {
    // 'wx' refuses anything already at the path, a symlink included; the random name makes a clash unlikely.
    const { files, calls } = recordingFs();
    await replaceFile(files, dir, 'a', Buffer.from('x'), 0o600);
    expect(calls[0]).toMatch(/ wx /);
  });

  it('never shows a reader part of a file, across many replacements', async () => {
    const size = 256 * 1024;
    const target = join(dir, 'big');
    await replaceFile(fs, dir, 'big', Buffer.alloc(size, 'a'), 0o600);
    const reader = new Worker(
      `
      const { readFileSync } = require('node:fs');
      const { parentPort, workerData } = require('node:worker_threads');
      let reads = 0, torn = 0, stop = false;
      parentPort.on('message', () => { stop = true; });
      const loop = () => {
        for (let i = 0; i < 50; i++) {
          const data = readFileSync(workerData.target);
          reads++;
          if (data.length !== workerData.size || data.some((byte) => byte !== data[0])) torn++;
        }
        if (stop) parentPort.postMessage({ reads, torn });
        else setImmediate(loop);
      };
      loop();
      `,
      { eval: true, workerData: { target, size } },
    );
    const result = new Promise<{ reads: number; torn: number }>((resolve, reject) => {
      reader.once('message', resolve);
      reader.once('error', reject);
    });
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    for (let i = 0; i < 300; i++) {
      await replaceFile(fs, dir, 'big', Buffer.alloc(size, letters[i % letters.length]!), 0o600);
    }
    reader.postMessage('stop');
    const { reads, torn } = await result;
    await reader.terminate();
    expect(reads).toBeGreaterThan(100);
    expect(torn).toBe(0);
    expect(readdirSync(dir)).toEqual(['big']);
  });
});
