import type { SecretListItem } from '../../client';
import { dependenciesIn } from './dependencies';

const byName = (a: SecretListItem, b: SecretListItem) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The order a group rotates in: a member after the members it depends on
 * (`keystage:depends-on`), so its rotation function sees them at their new values; members
 * with no order between them by name. The same members always give the same order, so a
 * rerun walks them as the run it resumes did. Members in a dependency cycle (which
 * `dependsOn` does not prevent across calls) go by name.
 */
export function rotationOrder(members: readonly SecretListItem[]): SecretListItem[] {
  const names = new Set(members.map((member) => member.name));
  const waitingOn = new Map(
    members.map((member) => [
      member.name,
      new Set(dependenciesIn(member.tags).filter((name) => names.has(name) && name !== member.name)),
    ]),
  );
  const left = [...members].sort(byName);
  const order: SecretListItem[] = [];
  while (left.length > 0) {
    const ready = left.findIndex((member) => waitingOn.get(member.name)!.size === 0);
    // No member is free of unrotated dependencies: a cycle; break it by name.
    const [next] = left.splice(ready === -1 ? 0 : ready, 1);
    order.push(next!);
    for (const waiting of waitingOn.values()) waiting.delete(next!.name);
  }
  return order;
}
