// SCAFFOLD: replaced by the real operation; must not survive integration.
import type { ClientContext } from '../context';
import type * as T from '../types';
export function tagSecret(
  ctx: ClientContext,
  id: string,
  tags: Readonly<Record<string, string>>,
): Promise<void> {
  void ctx;
  throw new Error('SCAFFOLD');
}
export function untagSecret(ctx: ClientContext, id: string, keys: readonly string[]): Promise<void> {
  void ctx;
  throw new Error('SCAFFOLD');
}
