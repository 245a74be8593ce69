import { partialArn } from '../core';
import type { SecretEntry } from './secret-entry';
import { isFormOf, nameInArn, namesInArnForm } from './secret-ids';

/**
 * Id -> the secret's entry. Each id form (name, full ARN, partial ARN) is a key only once a
 * read used it: a cached name answers a first read by ARN without a call (the ARN's name is
 * looked up and checked against the entry's own ARN), and the ARN is then learned. Nothing
 * is keyed eagerly, so a secret read by one form costs one key.
 */
export class SlotIndex {
  /** Read directly on the hot path (SecretCache.peekText). */
  readonly byId = new Map<string, SecretEntry>();

  /** The entry for an id, learning an ARN form of a cached name on the way. */
  find(id: string): SecretEntry | undefined {
    const known = this.byId.get(id);
    if (known !== undefined) return known;
    for (const name of namesInArnForm(id)) {
      const entry = this.byId.get(name);
      if (entry !== undefined && isFormOf(id, entry.arn)) {
        this.learn(id, entry);
        return entry;
      }
    }
    return undefined;
  }

  /** The entry an answer for `id` belongs to: one with the answer's ARN, under any form. */
  entryFor(id: string, arn: string): SecretEntry | undefined {
    const byId = this.byId.get(id);
    if (byId?.arn === arn) return byId;
    for (const form of [arn, partialArn(arn), nameInArn(arn)]) {
      const entry = form === undefined ? undefined : this.byId.get(form);
      if (entry?.arn === arn) return entry;
    }
    return undefined;
  }

  /** Makes `id` lead to `entry` (it may have led to another secret of that name before). */
  learn(id: string, entry: SecretEntry): void {
    if (this.byId.get(id) === entry) return;
    this.byId.set(id, entry);
    if (!isFormOf(id, entry.arn)) entry.addAlias(id);
  }

  /** Removes every key that leads to `entry`. */
  forget(entry: SecretEntry): void {
    for (const form of entry.forms())
      if (form !== undefined && this.byId.get(form) === entry) this.byId.delete(form);
  }

  clear(): void {
    this.byId.clear();
  }
}
