import type { OutcomeReceiver, TransferReport } from '../export/transfer-report';
import type { ImportAction, SecretDecision } from './plan-log';
import { reasonOf, type SecretGroup } from './secret-group';

/** What happened to one secret (or in a dry run, what would). Never a value. */
export interface ImportOutcome {
  /** The secret's name where it went (its bundle name when left out by map). */
  readonly name: string;
  /** The secret's name in the bundle. */
  readonly source: string;
  readonly action: ImportAction;
  /** Versions written (or to write), labels moved included. */
  readonly versions: number;
  /** Why it was skipped. @default - none */
  readonly reason?: string;
}

/** An import's result with `report: 'counts'`: nothing per secret. */
export interface ImportSummary {
  readonly dryRun: boolean;
  readonly bundleId: string;
  /** Entries (secret versions) in the bundle. */
  readonly entries: number;
  /** Secrets by what happened to them (in a dry run, what would). */
  readonly counts: Readonly<Record<ImportAction, number>>;
}

/** An import's result with `report: 'secrets'` (the default). */
export interface ImportResult extends ImportSummary {
  /** Every secret of the bundle, in bundle order. */
  readonly secrets: readonly ImportOutcome[];
}

/** The outcomes as they come: counted always, listed with `report: 'secrets'`, passed to `onSecret`. */
export class Outcomes {
  readonly counts: Record<ImportAction, number> = { created: 0, updated: 0, unchanged: 0, skipped: 0 };
  readonly #listed: ImportOutcome[] | undefined;
  readonly #receiver: OutcomeReceiver<ImportOutcome> | undefined;

  constructor(report: TransferReport, receiver: OutcomeReceiver<ImportOutcome> | undefined) {
    this.#listed = report === 'secrets' ? [] : undefined;
    this.#receiver = receiver;
  }

  async add(position: number, group: SecretGroup, decision: SecretDecision): Promise<void> {
    const { secret } = group;
    const outcome: ImportOutcome = {
      name: secret.target ?? secret.source,
      source: secret.source,
      action: decision.action,
      versions: decision.versions,
      ...(decision.skip === undefined ? {} : { reason: reasonOf(decision.skip, secret.target) }),
    };
    this.counts[outcome.action]++;
    if (this.#listed !== undefined) this.#listed[position] = outcome;
    await this.#receiver?.(outcome);
  }

  result(summary: Omit<ImportSummary, 'counts'>): ImportSummary | ImportResult {
    const counted: ImportSummary = { ...summary, counts: this.counts };
    return this.#listed === undefined ? counted : { ...counted, secrets: this.#listed };
  }
}
