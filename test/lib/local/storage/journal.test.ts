import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDir } from '../../../../lib/local/storage/data-dir';
import { DurabilityFailure, Journal } from '../../../../lib/local/storage/journal';
import { Table, Transaction } from '../../../../lib/local/storage/table';
import { FaultyFileSystem } from '../../../support/faulty-fs';

interface Row {
  readonly value: string;
}

/** One journal over one table, opened on `path` with the given file system. */
function open(path: string, faulty = new FaultyFileSystem(), compactAfterBytes?: number) {
  const table = new Table<Row>('rows', (row) => ({ ...row }));
  const dir = DataDir.open(path, faulty.fs);
  const lines: string[] = [];
  let journal: Journal;
  try {
    journal = Journal.open({
      dir,
      files: faulty.fs,
      tables: [table as Table<unknown>],
      log: (line) => lines.push(line),
      ...(compactAfterBytes === undefined ? {} : { compactAfterBytes }),
    });
  } catch (error) {
    dir.releaseSync();
    throw error;
  }
  const put = (key: string, value: string): Promise<void> => {
    const tx = new Transaction();
    tx.put(table, key, { value });
    return journal.commit(tx);
  };
  const close = async () => {
    await journal.close();
    dir.releaseSync();
  };
  const contents = () => Object.fromEntries([...table.entries()].map(([key, row]) => [key, row.value]));
  return { table, journal, dir, faulty, put, close, contents, lines };
}

describe('Journal', () => {
  let path: string;
  beforeEach(() => {
    path = mkdtempSync(join(tmpdir(), 'keystage-journal-'));
  });
  afterEach(() => rmSync(path, { recursive: true, force: true }));

  it('keeps every acknowledged transaction across a reopen, and nothing in plain text', async () => {
    const first = open(path);
    await first.put('a', 'alpha-value');
    await first.put('b', 'beta-value');
    const tx = new Transaction();
    tx.delete(first.table, 'a');
    await first.journal.commit(tx);
    await first.close();

    const second = open(path);
    expect(second.contents()).toEqual({ b: 'beta-value' });
    await second.close();
    const log = readFileSync(join(path, 'log-000001.ksl'));
    expect(log.includes('beta-value')).toBe(false);
    expect(statSync(join(path, 'log-000001.ksl')).mode & 0o777).toBe(0o600);
  });

  it('answers a write only after its fdatasync, and lets writes that arrive meanwhile share one', async () => {
    const journal = open(path);
    const syncsBefore = journal.faulty.syncs;
    await Promise.all(Array.from({ length: 200 }, (_, i) => journal.put(`k${i}`, `v${i}`)));
    const syncs = journal.faulty.syncs - syncsBefore;
    expect(syncs).toBeGreaterThanOrEqual(1);
    expect(syncs).toBeLessThan(20);
    await journal.close();
    expect(Object.keys(open(path).contents())).toHaveLength(200);
  });

  describe('on a full disk', () => {
    it('refuses the write with ENOSPC, cuts the partial frame off, and leaves the previous state', async () => {
      const journal = open(path);
      await journal.put('kept', 'v1');
      const sizeBefore = statSync(join(path, 'log-000001.ksl')).size;
      journal.faulty.spaceLeft = 10; // the next frame is cut short after 10 bytes, then ENOSPC
      const failed = journal.put('kept', 'v2-not-durable');
      await expect(failed).rejects.toBeInstanceOf(DurabilityFailure);
      await expect(failed).rejects.toMatchObject({
        errorCode: 'ENOSPC',
        message: expect.stringContaining('Nothing was changed'),
      });
      expect(journal.contents()).toEqual({ kept: 'v1' });
      expect(statSync(join(path, 'log-000001.ksl')).size).toBe(sizeBefore);

      journal.faulty.spaceLeft = Number.POSITIVE_INFINITY; // space freed: writes work again
      await journal.put('later', 'v3');
      await journal.close();
      expect(open(path).contents()).toEqual({ kept: 'v1', later: 'v3' });
    });

    it('undoes and refuses every transaction queued behind the refused one, newest first', async () => {
      const journal = open(path);
      await journal.put('x', 'base');
      journal.faulty.spaceLeft = 0;
      const results = await Promise.allSettled([
        journal.put('x', 'one'),
        journal.put('x', 'two'),
        journal.put('y', 'new'),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(journal.contents()).toEqual({ x: 'base' });
      await journal.close();
    });

    it('fails a read that saw a write the disk then refused', async () => {
      const journal = open(path);
      journal.faulty.spaceLeft = 0;
      const write = journal.put('seen', 'by a reader');
      const mark = journal.journal.mark(); // a read that ran after the write was applied
      await expect(journal.journal.durable(mark)).rejects.toBeInstanceOf(DurabilityFailure);
      await expect(write).rejects.toBeInstanceOf(DurabilityFailure);
      // A read that starts after the failure sees the state without it and is answered.
      await expect(journal.journal.durable(journal.journal.mark())).resolves.toBeUndefined();
      await journal.close();
    });
  });

  it('drops refused bookkeeping without failing the writes queued behind it, or a read', async () => {
    const journal = open(path);
    await journal.put('a', '1');
    journal.faulty.failWrites = 1;
    const note = new Transaction();
    note.put(journal.table, 'accessed', { value: 'today' });
    const mark = journal.journal.mark();
    const bookkeeping = journal.journal.commit(note, { bookkeeping: true });
    await new Promise((resolve) => setImmediate(resolve)); // its write is under way, and fails
    const write = journal.put('b', '2'); // queued behind it
    await expect(journal.journal.durable(mark)).resolves.toBeUndefined();
    await expect(write).resolves.toBeUndefined();
    await expect(bookkeeping).resolves.toBeUndefined(); // nobody waits for bookkeeping
    expect(journal.faulty.failWrites).toBe(0); // the write did fail
    expect(journal.contents()['accessed']).toBe('today'); // kept in memory only
    await journal.close();
    const reopened = open(path);
    expect(reopened.contents()).toEqual({ a: '1', b: '2' }); // the refused bookkeeping is not on disk
    await reopened.close();
  });

  it('after a failed fsync refuses all writes until a restart, which reads the disk again', async () => {
    const journal = open(path);
    await journal.put('a', '1');
    journal.faulty.failSync = true;
    await expect(journal.put('a', '2')).rejects.toMatchObject({ errorCode: 'EIO' });
    journal.faulty.failSync = false;
    await expect(journal.put('b', '3')).rejects.toMatchObject({
      message: expect.stringContaining('Restart the endpoint'),
    });
    expect(journal.contents()).toEqual({ a: '1' });
    expect(journal.lines.join('\n')).toContain('state on disk is uncertain');
    await journal.close();
    const reopened = open(path);
    expect(reopened.contents()).toEqual({ a: '1' });
    await reopened.put('b', '3');
    await reopened.close();
  });

  it('keeps a torn last frame aside, reports it, and goes on writing after the good frames', async () => {
    const first = open(path);
    await first.put('a', '1');
    await first.close();
    const log = join(path, 'log-000001.ksl');
    appendFileSync(log, Buffer.from([0, 0, 1, 0, 9, 9, 9])); // a frame header and 3 of its 256+ bytes

    const second = open(path);
    expect(second.contents()).toEqual({ a: '1' });
    expect(second.journal.recovery.tornTail).toEqual({
      file: 'log-000001.ksl',
      bytes: 7,
      keptAs: expect.stringMatching(/^log-000001\.ksl\.torn-at-\d+$/),
    });
    expect(second.lines.join('\n')).toContain('cut short and never acknowledged');
    expect(readFileSync(join(path, second.journal.recovery.tornTail!.keptAs))).toEqual(
      Buffer.from([0, 0, 1, 0, 9, 9, 9]),
    );
    await second.put('b', '2');
    await second.close();
    const third = open(path);
    expect(third.contents()).toEqual({ a: '1', b: '2' });
    expect(third.journal.recovery.tornTail).toBeUndefined();
    await third.close();
  });

  it('treats zeros a crash left at the end of the log as a torn tail, not damage', async () => {
    const first = open(path);
    await first.put('a', '1');
    await first.close();
    appendFileSync(join(path, 'log-000001.ksl'), Buffer.alloc(4096));
    const second = open(path);
    expect(second.contents()).toEqual({ a: '1' });
    expect(second.journal.recovery.tornTail?.bytes).toBe(4096);
    await second.close();
  });

  it('refuses a log with a frame missing from the middle', async () => {
    const first = open(path);
    await first.put('a', '1');
    const afterFirst = statSync(join(path, 'log-000001.ksl')).size;
    await first.put('b', '2');
    const afterSecond = statSync(join(path, 'log-000001.ksl')).size;
    await first.put('c', '3');
    await first.close();
    const log = readFileSync(join(path, 'log-000001.ksl'));
    writeFileSync(
      join(path, 'log-000001.ksl'),
      Buffer.concat([log.subarray(0, afterFirst), log.subarray(afterSecond)]),
    );
    expect(() => open(path)).toThrow(/frame 2 at byte \d+ fails authentication/);
  });

  it('removes temporary files of interrupted writes at start', async () => {
    const first = open(path);
    await first.close();
    writeFileSync(join(path, 'snapshot-000002.ksl.tmp'), 'half a snapshot');
    writeFileSync(join(path, 'master.key.123.abcd.tmp'), 'half a key');
    const second = open(path);
    expect([...second.journal.recovery.removedTemporaryFiles].sort()).toEqual([
      'master.key.123.abcd.tmp',
      'snapshot-000002.ksl.tmp',
    ]);
    expect(readdirSync(path).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    await second.close();
  });

  describe('compaction', () => {
    it('writes a snapshot when the log grows, removes the files it replaces, and reopens to the same state', async () => {
      const journal = open(path, new FaultyFileSystem(), 4096);
      for (let round = 0; round < 40; round++) {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) => journal.put(`k${i}`, `round-${round}-${'x'.repeat(50)}`)),
        );
      }
      await journal.close();
      const files = readdirSync(path).filter((name) => name.endsWith('.ksl'));
      expect(files.some((name) => name.startsWith('snapshot-'))).toBe(true);
      expect(files.filter((name) => name.startsWith('log-'))).toHaveLength(1);
      const reopened = open(path);
      expect(reopened.contents()).toEqual(
        Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, `round-39-${'x'.repeat(50)}`])),
      );
      expect(reopened.journal.recovery.snapshot).toMatch(/^snapshot-\d{6}\.ksl$/);
      await reopened.close();
    });

    it('replays every log from the last snapshot when a crash left older files behind', async () => {
      const journal = open(path, new FaultyFileSystem(), 2048);
      for (let i = 0; i < 60; i++) await journal.put(`k${i % 7}`, `v${i}-${'y'.repeat(40)}`);
      await journal.close();
      // A log older than the snapshot that a crash kept from being removed is ignored and removed.
      const snapshot = readdirSync(path).find((name) => name.startsWith('snapshot-'))!;
      const generation = Number(/(\d+)/.exec(snapshot)![1]);
      writeFileSync(join(path, `log-${String(generation - 1).padStart(6, '0')}.ksl`), 'stale');
      const reopened = open(path);
      expect(reopened.contents()['k3']).toMatch(/^v59-/);
      expect(readdirSync(path)).not.toContain(`log-${String(generation - 1).padStart(6, '0')}.ksl`);
      await reopened.close();
    });

    it('refuses a directory whose log after the snapshot is missing', async () => {
      const journal = open(path, new FaultyFileSystem(), 2048);
      for (let i = 0; i < 60; i++) await journal.put(`k${i}`, `v${i}-${'z'.repeat(40)}`);
      await journal.close();
      const log = readdirSync(path).find((name) => name.startsWith('log-'))!;
      rmSync(join(path, log));
      expect(() => open(path)).toThrow(/is missing: the data directory is incomplete/);
    });
  });
});
