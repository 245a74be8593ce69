import { isFormOf } from '../../cache/secret-ids';
import { isArn, namesSecret } from '../../core';
import { WatchedSecret, type Subscription } from './watched-secret';

/** Whether `eventId` (an id an event names) is `secret`. */
function named(secret: WatchedSecret, eventId: string): boolean {
  if (secret.ids.has(eventId)) return true;
  if (secret.arn !== undefined) return namesSecret(eventId, secret.name, secret.arn);
  // Not yet described: an event's full ARN still says which names it covers.
  return isArn(eventId) && [...secret.ids].some((id) => isFormOf(id, eventId));
}

/**
 * The secrets a watcher polls, under every id they were watched by. Two ids of one secret
 * (its name and its ARN) are two entries until DescribeSecret says they are one; then the
 * later is merged into the earlier, so the secret is polled once.
 */
export class WatchRegistry {
  readonly #byId = new Map<string, WatchedSecret>();
  readonly #byArn = new Map<string, WatchedSecret>();

  get(id: string): WatchedSecret | undefined {
    return this.#byId.get(id);
  }

  /** The entry for `id`, made (due at `now`) if there is none; `fresh` when made. */
  open(id: string, now: number): { readonly secret: WatchedSecret; readonly fresh: boolean } {
    const known = this.#byId.get(id);
    if (known !== undefined) return { secret: known, fresh: false };
    const secret = new WatchedSecret(id, now);
    this.#byId.set(id, secret);
    return { secret, fresh: true };
  }

  /** Every entry, each once. */
  secrets(): Set<WatchedSecret> {
    return new Set(this.#byId.values());
  }

  /** The entries an event naming `ids` is about. */
  namedBy(ids: readonly string[]): WatchedSecret[] {
    return [...this.secrets()].filter((secret) => ids.some((id) => named(secret, id)));
  }

  /**
   * Records what DescribeSecret said `secret` is; returns the entry that owns it from now
   * on: another one when an earlier entry has the same ARN (its listeners and ids move
   * there, and `secret` stops).
   */
  described(secret: WatchedSecret, arn: string | undefined, name: string | undefined): WatchedSecret {
    secret.arn = arn;
    secret.name = name;
    if (arn === undefined || !secret.active) return secret;
    const other = this.#byArn.get(arn);
    if (other === undefined || other === secret || !other.active) {
      this.#byArn.set(arn, secret);
      return secret;
    }
    for (const subscription of secret.subscriptions) {
      subscription.owner = other;
      other.subscriptions.add(subscription);
    }
    for (const id of secret.ids) {
      other.ids.add(id);
      this.#byId.set(id, other);
    }
    secret.subscriptions.clear();
    secret.mergedInto = other;
    secret.stop();
    return other;
  }

  /** Removes one listener; the entry goes (and stops) with its last. */
  remove(subscription: Subscription): void {
    const owner = subscription.owner;
    owner.subscriptions.delete(subscription);
    if (owner.subscriptions.size > 0) return;
    owner.stop();
    for (const id of owner.ids) if (this.#byId.get(id) === owner) this.#byId.delete(id);
    if (owner.arn !== undefined && this.#byArn.get(owner.arn) === owner) this.#byArn.delete(owner.arn);
  }

  /** Stops and forgets every entry. */
  clear(): void {
    for (const secret of this.secrets()) {
      secret.stop();
      secret.subscriptions.clear();
    }
    this.#byId.clear();
    this.#byArn.clear();
  }
}
