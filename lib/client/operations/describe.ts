// SCAFFOLD: replaced by the real operation; must not survive integration.
import type { ClientContext } from '../context';
import type * as T from '../types';
export function describeSecret(ctx: ClientContext, id: string): Promise<T.SecretSummary> {
  void ctx;
  throw new Error('SCAFFOLD');
}
export function listSecretVersions(
  ctx: ClientContext,
  id: string,
  options: T.VersionsOptions,
): Promise<T.SecretVersion[]> {
  void ctx;
  throw new Error('SCAFFOLD');
}
