import type { SecretListItem, SecretsClient } from '../../client';
import type { CallOptions } from '../../client/options';
import { KEYSTAGE_TAGS } from '../../core';
import { ValidationError } from '../../errors';
import { commit, groupsIn } from './membership';
import { parseList } from './organise-tags';
import { callOptions, checkIds, describeAll, planList } from './tag-lists';

const DEPENDS_ON = KEYSTAGE_TAGS.dependsOn;

/** What a secret depends on, by name, as its `keystage:depends-on` tag says. */
export function dependenciesIn(tags: Readonly<Record<string, string>>): string[] {
  return parseList(tags[DEPENDS_ON]);
}

/** The secret that an impact is about. */
export interface ImpactedSecretRef {
  readonly name: string;
  readonly arn: string;
  readonly environment: string | undefined;
  readonly service: string | undefined;
}

/** A secret affected when another changes. */
export interface ImpactedSecret extends ImpactedSecretRef {
  /** `depends-on`: it depends on the secret (directly or through others); `group`: it shares a group with it. */
  readonly via: ReadonlyArray<'depends-on' | 'group'>;
  /** For `depends-on` through others: the secrets in between, nearest the secret first; empty when direct. */
  readonly through: readonly string[];
  /** The groups it shares with the secret. */
  readonly groups: readonly string[];
}

/** What depends on a secret. */
export interface Impact {
  readonly secret: ImpactedSecretRef;
  /** Sorted by name. */
  readonly dependents: readonly ImpactedSecret[];
  /** The services of the secret and of its dependents (their `keystage:service` tags), sorted. */
  readonly services: readonly string[];
}

/**
 * Records that `id` depends on each of `otherIds` (a value derived from them, a credential
 * that only works with them), kept with what was recorded before, in `id`'s
 * `keystage:depends-on` tag: the names, space-separated, within a tag value's 256
 * characters. Every secret must exist; `id` cannot depend on itself. Returns the full list.
 * Safe to repeat.
 * @example
 * await dependsOn(secrets, 'prod/web/session-key', ['prod/auth/jwt-signing-key']);
 */
export async function dependsOn(
  client: SecretsClient,
  id: string,
  otherIds: readonly string[],
  options: CallOptions = {},
): Promise<string[]> {
  const others = checkIds(otherIds, 'otherIds');
  const call = callOptions(options);
  const secret = await client.describe(id, call);
  const named = await describeAll(client, others, call);
  if (named.some((other) => other.arn === secret.arn)) {
    throw new ValidationError('otherIds', `Secret ${JSON.stringify(secret.name)} cannot depend on itself.`);
  }
  const list = [...new Set([...dependenciesIn(secret.tags), ...named.map((other) => other.name)])].sort();
  await commit(client, [planList(secret, DEPENDS_ON, list, 'dependencies')], call);
  return list;
}

/**
 * Forgets that `id` depends on `otherIds` (names or ARNs of secrets that still exist, or the
 * names recorded). Returns what it still depends on.
 * @example
 * await removeDependencies(secrets, 'prod/web/session-key', ['prod/auth/jwt-signing-key']);
 */
export async function removeDependencies(
  client: SecretsClient,
  id: string,
  otherIds: readonly string[],
  options: CallOptions = {},
): Promise<string[]> {
  const others = new Set(checkIds(otherIds, 'otherIds'));
  const call = callOptions(options);
  const secret = await client.describe(id, call);
  const recorded = dependenciesIn(secret.tags);
  // An ARN is matched by the name it describes to; a recorded name also by itself, so a
  // dependency on a secret since deleted can still be forgotten.
  for (const other of others) {
    if (other.startsWith('arn:')) others.add((await client.describe(other, call)).name);
  }
  const kept = recorded.filter((name) => !others.has(name));
  await commit(client, [planList(secret, DEPENDS_ON, kept, 'dependencies')], call);
  return kept;
}

/**
 * What a secret depends on, by name, sorted.
 * @example
 * const needs = await dependenciesOf(secrets, 'prod/web/session-key');
 */
export async function dependenciesOf(
  client: SecretsClient,
  id: string,
  options: CallOptions = {},
): Promise<string[]> {
  return dependenciesIn((await client.describe(id, callOptions(options))).tags);
}

function refOf(item: { name: string; arn: string; keystage: SecretListItem['keystage'] }): ImpactedSecretRef {
  return {
    name: item.name,
    arn: item.arn,
    environment: item.keystage.environment,
    service: item.keystage.service,
  };
}

async function listTagged(
  client: SecretsClient,
  key: string,
  options: CallOptions,
): Promise<SecretListItem[]> {
  const items: SecretListItem[] = [];
  for await (const item of client.list({ tag: { key }, scoped: false, ...options })) items.push(item);
  return items;
}

/**
 * The secrets and services that depend on a secret: those whose `keystage:depends-on` lists
 * it, and those that depend on them in turn (each with the path in `through`), and the
 * other members of its groups (rotated with it). Two ListSecrets walks filtered on the tag
 * keys, so only the secrets the caller may list are seen, in every environment and service
 * (a scoped client's scope does not narrow it).
 * @example
 * const { dependents, services } = await impact(secrets, 'prod/auth/jwt-signing-key');
 */
export async function impact(client: SecretsClient, id: string, options: CallOptions = {}): Promise<Impact> {
  const call = callOptions(options);
  const secret = await client.describe(id, call);
  const dependers = await listTagged(client, DEPENDS_ON, call);
  const byDependency = new Map<string, SecretListItem[]>();
  for (const item of dependers) {
    for (const name of dependenciesIn(item.tags)) {
      byDependency.set(name, [...(byDependency.get(name) ?? []), item]);
    }
  }
  const found = new Map<
    string,
    { item: SecretListItem; via: Set<'depends-on' | 'group'>; through: string[]; groups: string[] }
  >();
  // Breadth first, so `through` is a shortest path; a cycle ends at the secret itself.
  const queue: Array<{ name: string; through: string[] }> = [{ name: secret.name, through: [] }];
  while (queue.length > 0) {
    const { name, through } = queue.shift()!;
    for (const item of byDependency.get(name) ?? []) {
      if (item.arn === secret.arn || found.has(item.arn)) continue;
      found.set(item.arn, { item, via: new Set(['depends-on']), through, groups: [] });
      queue.push({ name: item.name, through: [...through, item.name] });
    }
  }
  const groups = groupsIn(secret.tags);
  if (groups.length > 0) {
    for (const item of await listTagged(client, KEYSTAGE_TAGS.group, call)) {
      const shared = groupsIn(item.tags).filter((group) => groups.includes(group));
      if (item.arn === secret.arn || shared.length === 0) continue;
      const entry = found.get(item.arn) ?? { item, via: new Set(), through: [], groups: [] };
      entry.via.add('group');
      entry.groups = shared.sort();
      found.set(item.arn, entry);
    }
  }
  const dependents = [...found.values()]
    .map(({ item, via, through, groups: shared }) => ({
      ...refOf(item),
      via: [...via].sort(),
      through,
      groups: shared,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const services = new Set(
    [secret.keystage.service, ...dependents.map((dependent) => dependent.service)].filter(
      (service): service is string => service !== undefined,
    ),
  );
  return { secret: refOf(secret), dependents, services: [...services].sort() };
}
