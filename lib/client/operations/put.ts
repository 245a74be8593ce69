// SCAFFOLD: replaced by the real operation; must not survive integration.
import type { ClientContext } from '../context';
import type * as T from '../types';
export function putSecretValue(
  ctx: ClientContext,
  id: string,
  value: string | Uint8Array | object,
  options: T.PutOptions,
): Promise<string> {
  void ctx;
  throw new Error('SCAFFOLD');
}
