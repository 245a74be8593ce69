import { ServiceFault } from '../fault';
import type { IndexKey } from '../storage/ordered-index';
import { flag, integer, requiredText, text, textList, textMap, type LogsContext, type Run } from './context';
import { alreadyExists, groupNotFound, invalidParameter, validation } from './faults';
import type { GroupRecord } from './store';
import { decodeToken, encodeToken } from './tokens';

/** The retention periods PutRetentionPolicy takes, in days, as the reference lists them. */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * A log group's kmsKeyId must be the ARN of a key CloudWatch Logs can use: here, an enabled
 * symmetric encryption key of the endpoint's KMS in the request's Region.
 */
function checkKey(ctx: LogsContext, keyId: string, groupArn: string): void {
  const refuse = () =>
    invalidParameter(
      `The specified KMS key does not exist or is not allowed to be used with Arn '${groupArn}': pass the ARN of an enabled symmetric encryption key of this Region.`,
    );
  if (!/^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(keyId)) throw refuse();
  let usable: boolean;
  try {
    const key = ctx.keys.lookup(ctx.tx, keyId, ctx.region, ctx.now(), { invalidArn: false });
    usable = key.state === 'Enabled' && key.usage === 'ENCRYPT_DECRYPT' && key.spec === 'SYMMETRIC_DEFAULT';
  } catch (error) {
    if (!(error instanceof ServiceFault)) throw error;
    usable = false;
  }
  if (!usable) throw refuse();
}

/** A group as DescribeLogGroups shows it; only the name, ARN and creation time for a pattern search. */
function describeGroup(ctx: LogsContext, group: GroupRecord, brief: boolean): Record<string, unknown> {
  const arn = ctx.logs.groupArn(group);
  if (brief) return { logGroupName: group.name, creationTime: group.createdAt, arn: `${arn}:*` };
  return {
    logGroupName: group.name,
    creationTime: group.createdAt,
    ...(group.retentionInDays === undefined ? {} : { retentionInDays: group.retentionInDays }),
    metricFilterCount: 0,
    arn: `${arn}:*`,
    storedBytes: ctx.logs.storedBytes(group.id),
    ...(group.kmsKeyId === undefined ? {} : { kmsKeyId: group.kmsKeyId }),
    logGroupClass: group.logGroupClass,
    logGroupArn: arn,
    deletionProtectionEnabled: group.deletionProtection,
  };
}

/** Deletion protection blocks every deletion until it is turned off. */
function refuseIfProtected(group: GroupRecord, what: string): void {
  if (group.deletionProtection) {
    throw validation(
      `The log group has deletion protection enabled, which blocks ${what}: turn it off first (PutLogGroupDeletionProtection).`,
    );
  }
}

/** Log groups: create, list, retention, delete. */
export const GROUP_OPERATIONS = {
  CreateLogGroup: (ctx, body) => {
    const name = requiredText(body, 'logGroupName');
    if (/^aws\//i.test(name)) {
      throw invalidParameter('Log groups starting with AWS/ are reserved for AWS: choose another name.');
    }
    if (ctx.logs.findGroup(ctx.tx, ctx.region, name) !== undefined) {
      throw alreadyExists(
        'The specified log group already exists: use it, or delete it first (DeleteLogGroup deletes its events too).',
      );
    }
    const group: GroupRecord = {
      id: ctx.logs.nextId(),
      region: ctx.region,
      name,
      createdAt: ctx.now(),
      tags: textMap(body, 'tags'),
      logGroupClass: text(body, 'logGroupClass') ?? 'STANDARD',
      deletionProtection: flag(body, 'deletionProtectionEnabled') ?? false,
    };
    const kmsKeyId = text(body, 'kmsKeyId');
    if (kmsKeyId !== undefined && kmsKeyId !== '') {
      checkKey(ctx, kmsKeyId, ctx.logs.groupArn(group));
      ctx.logs.putGroup(ctx.tx, { ...group, kmsKeyId });
    } else {
      ctx.logs.putGroup(ctx.tx, group);
    }
    return {};
  },

  DescribeLogGroups: (ctx, body) => {
    const prefix = text(body, 'logGroupNamePrefix');
    const pattern = text(body, 'logGroupNamePattern');
    const identifiers = textList(body, 'logGroupIdentifiers');
    if (prefix !== undefined && pattern !== undefined) {
      throw invalidParameter('logGroupNamePrefix and logGroupNamePattern are mutually exclusive: pass one.');
    }
    if (identifiers !== undefined && (prefix !== undefined || pattern !== undefined)) {
      throw invalidParameter(
        'logGroupIdentifiers takes no other filter but includeLinkedAccounts: drop the prefix or pattern.',
      );
    }
    const groupClass = text(body, 'logGroupClass');
    const limit = integer(body, 'limit') ?? 50;
    const token = text(body, 'nextToken');
    // A prefix seeks to its first name: [prefix] sorts before every [name, id] with that prefix.
    let after: IndexKey | undefined = prefix === undefined ? undefined : [prefix];
    if (token !== undefined) after = decodeToken(token, 'groups').position;
    const wanted =
      identifiers === undefined
        ? undefined
        : new Set(
            identifiers
              .map((id) => ctx.logs.findGroup(ctx.tx, ctx.region, id)?.id)
              .filter((id): id is number => id !== undefined),
          );
    const logGroups: Record<string, unknown>[] = [];
    let last: IndexKey | undefined;
    let more = false;
    for (const { group, position } of ctx.logs.groupsIn(ctx.region, after)) {
      if (prefix !== undefined && !group.name.startsWith(prefix)) break;
      if (pattern !== undefined && !group.name.includes(pattern)) continue;
      if (wanted !== undefined && !wanted.has(group.id)) continue;
      if (groupClass !== undefined && group.logGroupClass !== groupClass) continue;
      if (logGroups.length === limit) {
        more = true;
        break;
      }
      logGroups.push(describeGroup(ctx, group, pattern !== undefined));
      last = position;
    }
    return {
      logGroups,
      ...(more && last !== undefined
        ? { nextToken: encodeToken({ kind: 'groups', direction: 'f', position: last, inclusive: false }) }
        : {}),
    };
  },

  PutRetentionPolicy: (ctx, body) => {
    const days = integer(body, 'retentionInDays') ?? 0;
    if (!(RETENTION_DAYS as readonly number[]).includes(days)) {
      throw invalidParameter(
        `1 validation error detected: Value at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
      );
    }
    const group = ctx.logs.resolveGroup(ctx.tx, ctx.region, requiredText(body, 'logGroupName'));
    ctx.logs.putGroup(ctx.tx, { ...group, retentionInDays: days });
    return {};
  },

  DeleteRetentionPolicy: (ctx, body) => {
    const group = ctx.logs.resolveGroup(ctx.tx, ctx.region, requiredText(body, 'logGroupName'));
    const kept: { -readonly [K in keyof GroupRecord]: GroupRecord[K] } = { ...group };
    delete kept.retentionInDays;
    ctx.logs.putGroup(ctx.tx, kept);
    return {};
  },

  DeleteLogGroup: (ctx, body) => {
    const group = ctx.logs.findGroup(ctx.tx, ctx.region, requiredText(body, 'logGroupName'));
    if (group === undefined) throw groupNotFound();
    refuseIfProtected(group, 'DeleteLogGroup');
    ctx.logs.deleteGroup(ctx.tx, group);
    return {};
  },
} satisfies Record<string, Run>;

export { refuseIfProtected };
