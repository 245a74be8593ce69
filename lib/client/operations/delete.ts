// SCAFFOLD: replaced by the real operation; must not survive integration.
import type { ClientContext } from '../context';
import type * as T from '../types';
export function deleteSecret(
  ctx: ClientContext,
  id: string,
  options: T.DeleteOptions,
): Promise<T.DeleteResult> {
  void ctx;
  throw new Error('SCAFFOLD');
}
export function undeleteSecret(ctx: ClientContext, id: string): Promise<T.SecretIdentity> {
  void ctx;
  throw new Error('SCAFFOLD');
}
