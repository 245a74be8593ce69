// SCAFFOLD: replaced by the real operation; must not survive integration.
import type { ClientContext } from '../context';
import type * as T from '../types';
export function createSecret(ctx: ClientContext, options: T.CreateSecretOptions): Promise<T.SecretRef> {
  void ctx;
  throw new Error('SCAFFOLD');
}
