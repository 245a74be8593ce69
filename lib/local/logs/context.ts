import type { KeyStore } from '../kms/keys';
import type { Operation } from '../operation';
import type { Transaction } from '../storage/table';
import { text } from '../checked-body';
import type { Body } from '../wire';

export { flag, integer, text, textList, textMap } from '../checked-body';
import { invalidParameter } from './faults';
import type { GroupRecord, LogStore } from './store';

/** What a CloudWatch Logs operation works with. */
export interface LogsContext {
  readonly logs: LogStore;
  /** The endpoint's KMS keys, for the kmsKeyId of a log group. */
  readonly keys: KeyStore;
  /** The operation's changes; committed (and made durable) only if it returns. */
  readonly tx: Transaction;
  /** The region the request was signed for. */
  readonly region: string;
  /** The endpoint's clock (ms since epoch): what is too old, too new or past retention. */
  readonly now: () => number;
}

/** An operation's behaviour; its input was checked against its shape before it runs. */
export type Run = Operation<LogsContext>['run'];

/** A member its shape says is required, so present. */
export function requiredText(body: Body, name: string): string {
  return text(body, name) ?? '';
}

/**
 * The log group of a request that names it by `logGroupName` or `logGroupIdentifier` (a
 * name or the group's ARN without `:*`): exactly one of the two, as the reference says.
 */
export function groupOf(ctx: LogsContext, body: Body): GroupRecord {
  const name = text(body, 'logGroupName');
  const identifier = text(body, 'logGroupIdentifier');
  if ((name === undefined) === (identifier === undefined)) {
    throw invalidParameter(
      'Specify exactly one of logGroupName and logGroupIdentifier (the name, or the ARN without :*).',
    );
  }
  return ctx.logs.resolveGroup(ctx.tx, ctx.region, name ?? identifier!);
}
