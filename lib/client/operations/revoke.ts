// SCAFFOLD: replaced by the real operation; must not survive integration.
import type { ClientContext } from '../context';
import type * as T from '../types';
export function revokeSecret(
  ctx: ClientContext,
  id: string,
  options: T.RevokeOptions,
): Promise<T.SecretIdentity> {
  void ctx;
  throw new Error('SCAFFOLD');
}
export function restoreSecret(ctx: ClientContext, id: string): Promise<T.SecretIdentity> {
  void ctx;
  throw new Error('SCAFFOLD');
}
