import { AuditChain } from '../../../lib/audit/audit-chain';
import type { AuditEntry, AuditEvent } from '../../../lib/audit/audit-event';
import type { SealedAuditEvent } from '../../../lib/audit/audit-chain';
import type { AuditTransport, WriteOutcome } from '../../../lib/audit/sink-options';

const START = Date.UTC(2026, 0, 1);

/** An entry as the audit stage makes one: a read of `secret` by ana, at START + `offsetMs`. */
export function entry(overrides: Partial<AuditEntry> = {}, offsetMs = 0): AuditEntry {
  return {
    timestamp: new Date(START + offsetMs).toISOString(),
    event_type: 'secret_access',
    user_id: 'ana',
    user_email: 'ana@example.com',
    service: 'billing',
    secret_name: 'prod/billing/stripe',
    environment: 'prod',
    action: 'get',
    ip_address: '203.0.113.7',
    user_agent: 'billing/1.0',
    success: true,
    cache_hit: false,
    version_id: 'a1b2c3d4-0000-0000-0000-000000000000',
    reason: null,
    request_id: '00000000-0000-4000-8000-000000000000',
    details: null,
    ...overrides,
  };
}

/** A chained trail of `count` events, as a sink writes them. */
export function trail(count: number): AuditEvent[] {
  const chain = new AuditChain();
  return Array.from({ length: count }, (_, i) => {
    const sealed = chain.seal(entry({ secret_name: `prod/app/s${i}`, request_id: `r-${i}` }, i * 1000));
    chain.advance(sealed);
    return sealed.event;
  });
}

/**
 * A destination that keeps what it is given and can be told to fail, to hold its answer
 * back (for group commit), or to reject events.
 */
export class MemoryTransport implements AuditTransport {
  readonly name = 'MemoryTransport';
  maxEventBytes = 1_048_576;
  readonly writes: SealedAuditEvent[][] = [];
  readonly stored: SealedAuditEvent[] = [];
  readonly durable: boolean[] = [];
  failing: unknown = undefined;
  /** Store only this many of the next batch, then fail. */
  partial: number | undefined;
  rejectIndexes: number[] = [];
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;
  closed = false;

  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  get events(): AuditEvent[] {
    return this.stored.map((sealed) => sealed.event);
  }

  async write(events: readonly SealedAuditEvent[], durable: boolean): Promise<WriteOutcome> {
    this.writes.push([...events]);
    this.durable.push(durable);
    await this.#gate;
    if (this.failing !== undefined) {
      const written = this.partial ?? 0;
      this.stored.push(...events.slice(0, written));
      return { written, rejected: [], error: this.failing };
    }
    const rejected = this.rejectIndexes.filter((i) => i < events.length);
    this.stored.push(...events.filter((_, i) => !rejected.includes(i)));
    return { written: events.length, rejected };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Lets setImmediate callbacks and the promises they start run. */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
