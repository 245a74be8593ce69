import type { SecretCache } from '../../cache';
import type { RefreshTrigger, SecretChange } from './secret-change';
import type { Subscription, WatchedSecret } from './watched-secret';

/**
 * After a poll of `owner`: tells each listener whose known version differs from AWSCURRENT,
 * once the cache has forgotten the secret (so a read in the listener gets the new value).
 * Listeners that had no starting point take AWSCURRENT as theirs silently. Deliveries of one
 * secret run in order, each after the last settled; a listener's failure goes to `failed`.
 */
export function deliverChange(
  owner: WatchedSecret,
  trigger: RefreshTrigger,
  changed: boolean,
  cache: SecretCache | undefined,
  failed: (error: unknown, secretId: string) => void,
): Promise<void> {
  const current = owner.versionId;
  const due: Subscription[] = [];
  for (const subscription of owner.subscriptions) {
    if (subscription.seen === undefined) subscription.seen = current ?? null;
    else if (current !== undefined && subscription.seen !== current) due.push(subscription);
  }
  if (changed || due.length > 0) {
    cache?.invalidate(owner.id);
    if (owner.arn !== undefined) cache?.invalidate(owner.arn);
  }
  if (due.length === 0 || current === undefined) return Promise.resolve();
  const run = async (): Promise<void> => {
    await Promise.all(
      due.map(async (subscription) => {
        const change: SecretChange = {
          secretId: subscription.id,
          arn: owner.arn,
          name: owner.name,
          previousVersionId: subscription.seen ?? undefined,
          versionId: current,
          trigger,
        };
        subscription.seen = current;
        try {
          await subscription.listener(change);
        } catch (error) {
          failed(error, subscription.id);
        }
      }),
    );
  };
  owner.deliveries = owner.deliveries.then(run);
  return owner.deliveries;
}
