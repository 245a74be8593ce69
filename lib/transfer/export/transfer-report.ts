import { ValidationError, show } from '../../errors';

/**
 * What the result of an export or an import lists beside its counts. `'secrets'`: a line per
 * secret (an import's outcome for each; an export's failures), kept until the result is
 * dropped. `'counts'`: the counts only, so that memory stays flat in the number of secrets;
 * `onSecret` then sees each outcome as it happens.
 */
export type TransferReport = 'secrets' | 'counts';

/** Receives one secret's outcome; awaited, so a slow receiver slows the job instead of queueing. */
export type OutcomeReceiver<T> = (outcome: T) => void | Promise<void>;

/** The `report` option, checked. */
export function checkReport(value: unknown, job: string): TransferReport {
  if (value === undefined) return 'secrets';
  if (value !== 'secrets' && value !== 'counts') {
    throw new ValidationError(
      'report',
      `report must be 'secrets' or 'counts', got ${show(value)}: ${job} lists secrets in its result with 'secrets' ` +
        "(the default), and only counts them with 'counts'.",
    );
  }
  return value;
}

/** A per-item callback option (`onSecret`, `onEntry`), checked. */
export function checkReceiver<T>(value: unknown, field = 'onSecret'): OutcomeReceiver<T> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') {
    throw new ValidationError(field, `${field} must be a function, got ${show(value)}.`);
  }
  return value as OutcomeReceiver<T>;
}
