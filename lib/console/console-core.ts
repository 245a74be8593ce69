import type { AuditRecord, AuditRecordSource } from '../audit/reports';
import type { AccessEvaluator, SecretListItem, SecretsClient } from '../client';
import type { PolicyOperation, Principal } from '../policy';
import { secretNameOf } from '../audit/reports/tally';
import type { TrackedRotation } from './rotation-progress';
import type { ConsoleClock } from './sessions';

/** What a handler answers; the server turns it into a response with the security headers. */
export type Reply =
  | { readonly kind: 'html'; readonly status: number; readonly body: string }
  | { readonly kind: 'json'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'redirect'; readonly location: string; readonly flash?: string }
  | {
      readonly kind: 'download';
      readonly filename: string;
      readonly contentType: string;
      readonly body: string;
    };

/** The usual names of environments, in the order a change goes through them. */
const PROMOTION_ORDER: readonly string[] = [
  'dev',
  'development',
  'test',
  'staging',
  'stage',
  'prod',
  'production',
];

/** The most audit records a screen reads back, newest kept. */
export const MAX_AUDIT_RECORDS = 50_000;

/**
 * The console's state and the calls every screen makes: through the client, always for the
 * signed-in principal, so the access policy, rate limits and audit trail apply.
 */
export class ConsoleCore {
  readonly client: SecretsClient;
  readonly principal: Principal;
  readonly clock: ConsoleClock;
  readonly revealHideMs: number;
  readonly #policy: AccessEvaluator | undefined;
  readonly #auditEvents: AuditRecordSource | undefined;
  /** Rotations started from this console, by version id. */
  readonly rotations = new Map<string, TrackedRotation & { readonly secret: string }>();
  /** Secrets whose last rotation started here failed. */
  readonly failedRotations = new Set<string>();

  constructor(options: {
    client: SecretsClient;
    principal: Principal;
    clock: ConsoleClock;
    policy: AccessEvaluator | undefined;
    auditEvents: AuditRecordSource | undefined;
    revealHideMs: number;
  }) {
    this.client = options.client;
    this.principal = options.principal;
    this.clock = options.clock;
    this.#policy = options.policy;
    this.#auditEvents = options.auditEvents;
    this.revealHideMs = options.revealHideMs;
  }

  /** The call options of every client call: the signed-in principal. */
  get call(): { readonly principal: Principal } {
    return { principal: this.principal };
  }

  /**
   * Whether the policy allows `operation` on `secret` for the principal: what decides which
   * buttons a page shows. The client asks the same policy again when the button is pressed.
   */
  can(operation: PolicyOperation, secret: string): boolean {
    if (this.#policy === undefined) return true;
    return this.#policy.evaluate({ principal: this.principal, operation, secret }).allowed;
  }

  /** The environments the principal may list a secret of: development, staging, production first, then by name. */
  async environments(): Promise<string[]> {
    const rank = (name: string): number => {
      const at = PROMOTION_ORDER.indexOf(name.toLowerCase());
      return at === -1 ? PROMOTION_ORDER.length : at;
    };
    return (await this.client.environments(this.call)).sort(
      (a, b) => rank(a) - rank(b) || a.localeCompare(b),
    );
  }

  /** Every secret the principal may list, of one environment or all, scheduled deletions included. */
  async secrets(environment?: string): Promise<SecretListItem[]> {
    const items: SecretListItem[] = [];
    for await (const item of this.client.list({
      ...this.call,
      scoped: false,
      includeScheduledForDeletion: true,
      ...(environment === undefined ? {} : { environment }),
    })) {
      items.push(item);
    }
    return items.sort((a, b) => a.name.localeCompare(b.name));
  }

  get hasAudit(): boolean {
    return this.#auditEvents !== undefined;
  }

  /**
   * The audit records the principal may see: those about a secret it may list (or about
   * none), newest last, at most MAX_AUDIT_RECORDS.
   */
  async auditRecords(): Promise<AuditRecord[]> {
    if (this.#auditEvents === undefined) return [];
    const kept: AuditRecord[] = [];
    const allowed = new Map<string, boolean>();
    for await (const record of this.#auditEvents) {
      const name = secretNameOf(record.secret_name);
      if (name !== null) {
        let may = allowed.get(name);
        if (may === undefined) {
          may = this.can('list', name);
          allowed.set(name, may);
        }
        if (!may) continue;
      }
      kept.push(record);
      if (kept.length > MAX_AUDIT_RECORDS) kept.shift();
    }
    return kept;
  }

  /** Names of secrets whose last rotation failed: seen here, or the last `rotate` in the audit trail. */
  failedRotationNames(records: readonly AuditRecord[]): Set<string> {
    const last = new Map<string, boolean>();
    for (const record of records) {
      if (record.action !== 'rotate') continue;
      const name = secretNameOf(record.secret_name);
      if (name !== null) last.set(name, record.success);
    }
    const failed = new Set(this.failedRotations);
    for (const [name, success] of last) if (!success) failed.add(name);
    return failed;
  }
}
