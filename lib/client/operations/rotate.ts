// SCAFFOLD: replaced by the real operation; must not survive integration.
import type { ClientContext } from '../context';
import type * as T from '../types';
export function rotateSecret(
  ctx: ClientContext,
  id: string,
  options: T.RotateOptions,
): Promise<T.RotateResult> {
  void ctx;
  throw new Error('SCAFFOLD');
}
