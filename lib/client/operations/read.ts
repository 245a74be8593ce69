// SCAFFOLD: replaced by the real operation; must not survive integration.
import type { ClientContext } from '../context';
import type * as T from '../types';
export function getSecretString(ctx: ClientContext, id: string, options: T.GetOptions): Promise<string> {
  void ctx;
  throw new Error('SCAFFOLD');
}
export function getSecretJson<V>(ctx: ClientContext, id: string, options: T.GetJsonOptions<V>): Promise<V> {
  void ctx;
  throw new Error('SCAFFOLD');
}
export function getSecretBinary(ctx: ClientContext, id: string, options: T.GetOptions): Promise<Uint8Array> {
  void ctx;
  throw new Error('SCAFFOLD');
}
