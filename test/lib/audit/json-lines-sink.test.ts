import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AuditEvent } from '../../../lib/audit/audit-event';
import { canonicalJson } from '../../../lib/audit/canonical-json';
import { JsonLinesAuditSink } from '../../../lib/audit/json-lines-sink';
import { verifyAuditTrail } from '../../../lib/audit/verify-audit-trail';
import { AuditUnavailableError } from '../../../lib/errors';
import { entry } from './audit-fixtures';

const parse = (text: string): AuditEvent[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditEvent);

describe('JsonLinesAuditSink', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keystage-audit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('on a stream', () => {
    it('writes one canonical JSON event per line', async () => {
      const chunks: string[] = [];
      const stream = new Writable({
        write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk.toString()), done()),
      });
      const sink = new JsonLinesAuditSink({ stream });
      await Promise.all([sink.record(entry(), true), sink.record(entry(), true)]);
      const lines = chunks.join('').split('\n').slice(0, -1);
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(line).toBe(canonicalJson(JSON.parse(line)));
      expect((await verifyAuditTrail(parse(chunks.join('')))).valid).toBe(true);
    });

    it('fails a fail-closed event when the stream fails', async () => {
      const stream = new Writable({ write: (_chunk, _encoding, done) => done(new Error('EPIPE')) });
      stream.on('error', () => undefined);
      const sink = new JsonLinesAuditSink({ stream });
      await expect(sink.record(entry(), true)).rejects.toBeInstanceOf(AuditUnavailableError);
    });
  });

  describe('in a file', () => {
    it('appends, creating the file with mode 0600', async () => {
      const file = join(dir, 'audit.jsonl');
      const sink = new JsonLinesAuditSink({ file });
      await sink.record(entry(), true);
      await sink.close();
      expect(parse(readFileSync(file, 'utf8'))).toHaveLength(1);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    });

    it('continues the chain of an existing trail', async () => {
      const file = join(dir, 'audit.jsonl');
      const first = new JsonLinesAuditSink({ file });
      for (let i = 0; i < 3; i++) await first.record(entry(), true);
      await first.close();
      const second = new JsonLinesAuditSink({ file });
      await second.record(entry(), true);
      await second.close();
      const events = parse(readFileSync(file, 'utf8'));
      expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4]);
      expect((await verifyAuditTrail(events)).valid).toBe(true);
    });

    it('starts a new line after one a crash cut off, and chains from the last whole event', async () => {
      const file = join(dir, 'audit.jsonl');
      const first = new JsonLinesAuditSink({ file });
      await first.record(entry(), true);
      await first.close();
      appendFileSync(file, '{"action":"get","cache_');
      const second = new JsonLinesAuditSink({ file });
      await second.record(entry(), true);
      await second.close();
      const lines = readFileSync(file, 'utf8').split('\n');
      expect(lines[1]).toBe('{"action":"get","cache_');
      const last = JSON.parse(lines[2]!) as AuditEvent;
      const whole = parse(lines[0]!);
      expect(last.seq).toBe(2);
      expect((await verifyAuditTrail([...whole, last])).valid).toBe(true);
    });

    it('syncs to disk before a fail-closed event is acknowledged, and on flush', async () => {
      const probe = await open(join(dir, 'probe'), 'w');
      const prototype = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
      await probe.close();
      const sync = jest.spyOn(prototype, 'datasync');
      try {
        const sink = new JsonLinesAuditSink({ file: join(dir, 'audit.jsonl'), flushIntervalMs: 60_000 });
        await sink.record(entry(), true);
        expect(sync).toHaveBeenCalledTimes(1);
        sink.record(entry(), false);
        await sink.flush();
        expect(sync).toHaveBeenCalledTimes(2);
        await sink.close();
      } finally {
        sync.mockRestore();
      }
    });

    it('does not sync for fail-open events written on the interval', async () => {
      const probe = await open(join(dir, 'probe'), 'w');
      const prototype = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
      await probe.close();
      const sync = jest.spyOn(prototype, 'datasync');
      try {
        const file = join(dir, 'audit.jsonl');
        const sink = new JsonLinesAuditSink({ file, flushIntervalMs: 1 });
        sink.record(entry(), false);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(parse(readFileSync(file, 'utf8'))).toHaveLength(1);
        expect(sync).not.toHaveBeenCalled();
        await sink.close();
      } finally {
        sync.mockRestore();
      }
    });

    it('fails a fail-closed event when the file cannot be opened', async () => {
      const sink = new JsonLinesAuditSink({ file: join(dir, 'missing-dir', 'audit.jsonl') });
      await expect(sink.record(entry(), true)).rejects.toBeInstanceOf(AuditUnavailableError);
    });
  });

  it('needs exactly one of file and stream', () => {
    expect(() => new JsonLinesAuditSink({})).toThrow(expect.objectContaining({ field: 'file' }));
    expect(() => new JsonLinesAuditSink({ file: 'a', stream: process.stdout })).toThrow(
      expect.objectContaining({ field: 'file' }),
    );
  });
});
