// SCAFFOLD: replaced by the real operation; must not survive integration.
import type { ClientContext } from '../context';
import type * as T from '../types';
export function listSecrets(ctx: ClientContext, options: T.ListOptions): AsyncIterable<T.SecretListItem> {
  void ctx;
  throw new Error('SCAFFOLD');
}
