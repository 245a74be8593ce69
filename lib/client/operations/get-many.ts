// SCAFFOLD: replaced by the real operation; must not survive integration.
import type { ClientContext } from '../context';
import type * as T from '../types';
export function getManySecrets(ctx: ClientContext, ids: readonly string[]): Promise<T.GetManyResult> {
  void ctx;
  throw new Error('SCAFFOLD');
}
