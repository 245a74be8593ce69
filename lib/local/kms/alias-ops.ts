import { keyOf, requiredText, seconds, text, type KmsContext, type Run } from './context';
import { accessDenied, alreadyExists, invalidAliasName, notFound, validation } from './faults';
import { specInfo } from './key-spec';
import { MANAGED_ALIASES, requireCustomerManaged, requireNotPendingDeletion, type KeyRecord } from './keys';
import { paginate } from './paging';

const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;
const RESERVED = 'alias/aws/';

/** The key an alias may point at: customer managed, not pending deletion (key id or ARN only). */
function target(ctx: KmsContext, keyId: string): KeyRecord {
  const key = keyOf(ctx, keyId, { invalidArn: false });
  return requireNotPendingDeletion(requireCustomerManaged(key, 'point an alias at it'));
}

/** An existing alias that the caller may change: AWS manages the ones under alias/aws/. */
function ownAlias(ctx: KmsContext, name: string) {
  if (name.startsWith(RESERVED)) {
    throw accessDenied(`${name} is an AWS managed alias: you cannot change or delete it.`);
  }
  const alias = ALIAS_NAME.test(name) ? ctx.keys.alias(ctx.tx, ctx.region, name) : undefined;
  if (alias === undefined) {
    throw notFound(
      `Alias ${ctx.keys.aliasArn(ctx.region, name)} is not found: check its name and Region (ListAliases).`,
    );
  }
  return alias;
}

interface AliasEntry {
  AliasName: string;
  AliasArn: string;
  TargetKeyId?: string;
  CreationDate?: number;
  LastUpdatedDate?: number;
}

/** Symmetric, asymmetric or HMAC: an alias keeps pointing at the same kind of key. */
const kindOf = (key: KeyRecord): string => {
  const kind = specInfo(key.spec).kind;
  return kind === 'rsa' || kind === 'ecc' ? 'asymmetric' : kind;
};

/** Aliases: friendly names of keys, per Region. */
export const ALIAS_OPERATIONS = {
  CreateAlias: (ctx, body) => {
    const name = requiredText(body, 'AliasName');
    if (!ALIAS_NAME.test(name)) {
      throw invalidAliasName(
        `Alias name ${name} is not valid: use alias/ followed by letters, digits, slashes, underscores or hyphens.`,
      );
    }
    if (name.startsWith(RESERVED)) {
      throw invalidAliasName(
        `${name} starts with alias/aws/, which is reserved for AWS managed keys: choose another name.`,
      );
    }
    const arn = ctx.keys.aliasArn(ctx.region, name);
    if (ctx.keys.alias(ctx.tx, ctx.region, name) !== undefined) {
      throw alreadyExists(
        `An alias with the name ${arn} already exists: choose another, or move it with UpdateAlias.`,
      );
    }
    const key = target(ctx, requiredText(body, 'TargetKeyId'));
    const now = ctx.now();
    ctx.keys.putAlias(ctx.tx, ctx.region, { name, arn, targetKeyId: key.id, createdAt: now, updatedAt: now });
    return {};
  },

  UpdateAlias: (ctx, body) => {
    const alias = ownAlias(ctx, requiredText(body, 'AliasName'));
    const key = target(ctx, requiredText(body, 'TargetKeyId'));
    const current = ctx.keys.get(ctx.tx, alias.targetKeyId, ctx.now());
    if (current !== undefined && (kindOf(current) !== kindOf(key) || current.usage !== key.usage)) {
      throw validation(
        `${alias.name} points at a ${kindOf(current)} ${current.usage} key; ${key.arn} is a ${kindOf(key)} ${key.usage} key. An alias moves only to a key of the same type and usage: delete it and create it again instead.`,
      );
    }
    ctx.keys.putAlias(ctx.tx, ctx.region, { ...alias, targetKeyId: key.id, updatedAt: ctx.now() });
    return {};
  },

  DeleteAlias: (ctx, body) => {
    ctx.keys.deleteAlias(ctx.tx, ctx.region, ownAlias(ctx, requiredText(body, 'AliasName')).name);
    return {};
  },

  ListAliases: (ctx, body) => {
    const keyId = text(body, 'KeyId');
    const only = keyId === undefined ? undefined : keyOf(ctx, keyId).id;
    const aliases = ctx.keys.aliasesIn(ctx.tx, ctx.region);
    const entries: AliasEntry[] = aliases
      .filter((alias) => only === undefined || alias.targetKeyId === only)
      .map((alias) => ({
        AliasName: alias.name,
        AliasArn: alias.arn,
        TargetKeyId: alias.targetKeyId,
        ...(alias.createdAt === undefined ? {} : { CreationDate: seconds(alias.createdAt) }),
        ...(alias.updatedAt === undefined ? {} : { LastUpdatedDate: seconds(alias.updatedAt) }),
      }));
    // Predefined AWS aliases are listed before their key exists, without a TargetKeyId.
    if (only === undefined) {
      for (const name of Object.keys(MANAGED_ALIASES)) {
        if (!aliases.some((alias) => alias.name === name)) {
          entries.push({ AliasName: name, AliasArn: ctx.keys.aliasArn(ctx.region, name) });
        }
      }
    }
    const page = paginate(entries, (entry) => entry.AliasName, body, 50);
    return { Aliases: page.items, ...page.more };
  },
} satisfies Record<string, Run>;
