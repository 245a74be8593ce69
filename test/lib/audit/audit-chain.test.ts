import { AuditChain, auditEventHash } from '../../../lib/audit/audit-chain';
import { GENESIS_PREV, type AuditEntry } from '../../../lib/audit/audit-event';
import { canonicalJson, sha256Hex } from '../../../lib/audit/canonical-json';
import { entry, trail } from './audit-fixtures';

describe('AuditChain', () => {
  it('starts a stream at seq 1 with 64 zeros as prev', () => {
    const [first] = trail(1);
    expect(first).toMatchObject({ seq: 1, prev: GENESIS_PREV });
  });

  it('links each event to the SHA-256 of the previous event’s canonical JSON', () => {
    const events = trail(5);
    for (let i = 1; i < events.length; i++) {
      expect(events[i]).toMatchObject({ seq: i + 1, prev: sha256Hex(canonicalJson(events[i - 1])) });
    }
  });

  it('writes the event’s canonical JSON as its line, and hashes that line', () => {
    const sealed = new AuditChain().seal(entry());
    expect(sealed.line).toBe(canonicalJson(sealed.event));
    expect(sealed.hash).toBe(auditEventHash(sealed.event));
    expect(sealed.bytes).toBe(Buffer.byteLength(sealed.line));
  });

  it('gives the event as its line says, whatever becomes of the entry after sealing', () => {
    const sealing = { ...entry(), secret_name: 'prod/billing/db' };
    const sealed = new AuditChain().seal(sealing);
    (sealing as { secret_name: string }).secret_name = 'prod/elsewhere/db';
    expect(sealed.seq).toBe(1);
    expect(sealed.event).toEqual(JSON.parse(sealed.line));
    expect(sealed.event.secret_name).toBe('prod/billing/db');
  });

  it('keeps every field of the format, null when absent, and nothing beyond it', () => {
    const sealed = new AuditChain().seal({ ...entry({ user_email: null }), extra: 'x' } as never);
    expect(Object.keys(sealed.event).sort()).toEqual([
      'action',
      'cache_hit',
      'details',
      'environment',
      'event_type',
      'ip_address',
      'prev',
      'reason',
      'request_id',
      'secret_name',
      'seq',
      'service',
      'success',
      'timestamp',
      'user_agent',
      'user_email',
      'user_id',
      'version_id',
    ]);
    expect(sealed.event.user_email).toBeNull();
  });

  it('does not move until advanced, and moves back on rewind', () => {
    const chain = new AuditChain();
    const first = chain.seal(entry());
    expect(chain.seal(entry()).event.seq).toBe(1);
    chain.advance(first);
    const head = chain.head;
    chain.advance(chain.seal(entry()));
    chain.rewind(head);
    expect(chain.seal(entry()).event).toMatchObject({ seq: 2, prev: first.hash });
  });

  it('seals a fixed trail to the same hashes as ever (the line format and chain are pinned)', () => {
    const chain = new AuditChain();
    const variants: Array<Partial<AuditEntry>> = [
      {},
      {},
      { user_email: null, reason: 'ACCESS_DENIED', event_type: 'access_denied', success: false },
      { secret_name: 'prod/"quoted"\\name\u2028é' },
      { details: { batch_size: 3, rule: null } },
      {},
      { request_id: 'r-6' },
    ];
    const sealed = variants.map((variant, i) => {
      const one = chain.seal(entry(variant, Math.floor(i / 2)));
      chain.advance(one);
      return one;
    });
    // Computed by the implementation before the writer kept its fields' text.
    expect(sealed.at(-1)!.hash).toBe('7a74c712dcdf85c3060f0c6adfdd0d89d9e614dc4ccfb898d9803cedac525863');
    for (const one of sealed) expect(one.line).toBe(canonicalJson(one.event));
  });

  it('gives each event the epoch time of its own timestamp, repeated or not', () => {
    const chain = new AuditChain();
    const offsets = [0, 0, 1, 1, 0, 86_400_000, 86_400_000, 2];
    const times = offsets.map((offset) => {
      const sealed = chain.seal(entry({}, offset));
      chain.advance(sealed);
      return [sealed.time, Date.parse(sealed.event.timestamp)];
    });
    for (const [time, parsed] of times) expect(time).toBe(parsed);
  });
});
