import type { KeyStore } from '../kms/keys';
import type { Operation } from '../operation';
import type { SecretStore } from '../secrets-manager';
import type { Transaction } from '../storage/table';
import type { ParameterStore } from './store';

export { flag, integer, text, textList } from '../checked-body';

/** What a Parameter Store operation works with. */
export interface SsmContext {
  readonly parameters: ParameterStore;
  /** The endpoint's KMS keys: SecureString values are encrypted under one of them. */
  readonly keys: KeyStore;
  /** The endpoint's secrets, which `/aws/reference/secretsmanager/<secret>` reads. */
  readonly secrets: SecretStore;
  /** The operation's changes; committed (and made durable) only if it returns. */
  readonly tx: Transaction;
  /** Bookkeeping a read makes (a referenced secret's access date); never fails the read. */
  readonly access: Transaction;
  /** The region the request was signed for. */
  readonly region: string;
  /** The endpoint's clock (ms since epoch). */
  readonly now: () => number;
}

/** An operation's behaviour; its input was checked against its shape before it runs. */
export type Run = Operation<SsmContext>['run'];

/** Who the answers say changed a parameter: the endpoint signs nothing, so the account. */
export function modifiedBy(ctx: SsmContext): string {
  return `arn:aws:iam::${ctx.parameters.accountId}:root`;
}
