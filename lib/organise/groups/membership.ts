import type { SecretListItem, SecretsClient } from '../../client';
import type { CallOptions } from '../../client/options';
import { accessDecision, runOperation } from '../../client/secrets-client';
import { KEYSTAGE_TAGS } from '../../core';
import { parseList, removeOrganiseTag, setOrganiseTag, validateGroupName } from './organise-tags';
import { applyChanges, callOptions, checkIds, describeAll, planList, type ListChange } from './tag-lists';

/** What `defineGroup` changed. */
export interface GroupDefinition {
  readonly group: string;
  /** The members now, by name, sorted. */
  readonly members: readonly string[];
  /** Secrets that joined the group. */
  readonly added: readonly string[];
  /** Secrets that left it (they were members and are not in `secretIds`). */
  readonly removed: readonly string[];
}

const GROUP = KEYSTAGE_TAGS.group;

/** The groups a secret's tags say it is in. */
export function groupsIn(tags: Readonly<Record<string, string>>): string[] {
  return parseList(tags[GROUP]);
}

/**
 * Refuses, before anything is written, a plan the access policy would refuse: the first
 * refused write is run, so the pipeline refuses it (and audits the denial) with no call.
 */
async function authorize(client: SecretsClient, changes: readonly ListChange[], options: CallOptions) {
  for (const change of changes) {
    const { secret, key, after } = change;
    const decision =
      after === undefined
        ? accessDecision(client, removeOrganiseTag, secret.name, options)
        : accessDecision(client, setOrganiseTag, secret.name, options);
    if (decision === undefined || decision.allowed) continue;
    if (after === undefined)
      await runOperation(client, removeOrganiseTag, [secret.arn, key, options], options);
    else await runOperation(client, setOrganiseTag, [secret.arn, key, after, options], options);
  }
}

/** Plans, authorizes and applies list changes; the same checks for every writer here. */
export async function commit(
  client: SecretsClient,
  changes: ReadonlyArray<ListChange | undefined>,
  options: CallOptions,
): Promise<void> {
  const planned = changes.filter((change): change is ListChange => change !== undefined);
  await authorize(client, planned, options);
  await applyChanges(client, planned, options);
}

/**
 * The members of a group: the secrets whose `keystage:group` tag lists it, sorted by name.
 * Found with ListSecrets (filtered on the tag key), so only the secrets the caller may list
 * are seen. A group spans environments and services: a scoped client's scope does not narrow it.
 * @example
 * const members = await groupMembers(secrets, 'payments');
 */
export async function groupMembers(
  client: SecretsClient,
  name: string,
  options: CallOptions = {},
): Promise<SecretListItem[]> {
  const group = validateGroupName(name);
  const members: SecretListItem[] = [];
  for await (const item of client.list({ tag: { key: GROUP }, scoped: false, ...callOptions(options) })) {
    if (groupsIn(item.tags).includes(group)) members.push(item);
  }
  return members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Makes a group exactly these secrets: each joins it (keeping its other groups), and
 * members not named leave it. A secret may be in several groups; its `keystage:group` tag
 * lists them, space-separated, within a tag value's 256 characters. Every secret is
 * described and every change checked (the tag limits, the access policy) before the first
 * write; if a write fails, those made are put back. Safe to repeat.
 * @example
 * await defineGroup(secrets, 'payments', ['prod/billing/stripe', 'prod/billing/webhook']);
 */
export async function defineGroup(
  client: SecretsClient,
  name: string,
  secretIds: readonly string[],
  options: CallOptions = {},
): Promise<GroupDefinition> {
  const group = validateGroupName(name);
  const ids = checkIds(secretIds, 'secretIds');
  const call = callOptions(options);
  const wanted = await describeAll(client, ids, call);
  const current = await groupMembers(client, group, call);
  const joining = wanted.filter((secret) => !groupsIn(secret.tags).includes(group));
  const leaving = current.filter((member) => !wanted.some((secret) => secret.arn === member.arn));
  await commit(
    client,
    [
      ...joining.map((secret) => planList(secret, GROUP, [...groupsIn(secret.tags), group], 'groups')),
      ...leaving.map((member) =>
        planList(
          member,
          GROUP,
          groupsIn(member.tags).filter((other) => other !== group),
          'groups',
        ),
      ),
    ],
    call,
  );
  return {
    group,
    members: wanted.map((secret) => secret.name).sort(),
    added: joining.map((secret) => secret.name).sort(),
    removed: leaving.map((member) => member.name).sort(),
  };
}

/**
 * Takes secrets out of a group (their other groups stay). Returns the names of those that
 * were in it. Safe to repeat.
 * @example
 * await removeFromGroup(secrets, 'payments', ['prod/billing/webhook']);
 */
export async function removeFromGroup(
  client: SecretsClient,
  name: string,
  secretIds: readonly string[],
  options: CallOptions = {},
): Promise<string[]> {
  const group = validateGroupName(name);
  const ids = checkIds(secretIds, 'secretIds');
  const call = callOptions(options);
  const members = (await describeAll(client, ids, call)).filter((secret) =>
    groupsIn(secret.tags).includes(group),
  );
  await commit(
    client,
    members.map((secret) =>
      planList(
        secret,
        GROUP,
        groupsIn(secret.tags).filter((other) => other !== group),
        'groups',
      ),
    ),
    call,
  );
  return members.map((secret) => secret.name).sort();
}

/**
 * The groups a secret is in, sorted.
 * @example
 * const groups = await groupOf(secrets, 'prod/billing/stripe'); // ['payments']
 */
export async function groupOf(
  client: SecretsClient,
  id: string,
  options: CallOptions = {},
): Promise<string[]> {
  return groupsIn((await client.describe(id, callOptions(options))).tags).sort();
}
