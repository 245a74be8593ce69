// SCAFFOLD: replaced by the real operation; must not survive integration.
import type { ClientContext } from '../context';
import type * as T from '../types';
export function rollbackSecret(
  ctx: ClientContext,
  id: string,
  options: T.RollbackOptions,
): Promise<T.RollbackResult> {
  void ctx;
  throw new Error('SCAFFOLD');
}
