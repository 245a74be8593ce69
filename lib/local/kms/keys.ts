import { randomBytes, randomUUID } from 'node:crypto';
import { Table, type Transaction } from '../storage/table';
import { invalidArn, notFound } from './faults';
import { generateMaterial, type KeyUsageName, type SupportedSpec } from './key-spec';
import {
  DAY_MS,
  MANAGED_ALIASES,
  NO_ROTATION,
  normalize,
  requireUsable,
  type AliasRecord,
  type KeyRecord,
  type KeyRotation,
  type RotationType,
  type StoredKey,
} from './key-record';
import { defaultKeyPolicy, managedKeyPolicy } from './policy';
import type { Tag } from './tags';

export * from './key-record';

interface TagsRecord {
  readonly tags: readonly Tag[];
}

interface PolicyRecord {
  readonly policy: string;
}

/** What is left of a key after its deletion window: enough to answer for its old ciphertexts. */
interface DeletedKeyRecord {
  readonly region: string;
  readonly arn: string;
  readonly deletedAt: number;
}

/** Which key identifiers an operation takes, and how it refuses an ARN that is not a key's. */
export interface LookupOptions {
  /** Alias names and alias ARNs too (cryptographic operations, DescribeKey). @default false */
  readonly aliases?: boolean;
  /** The operation documents InvalidArnException (most do; CreateAlias and UpdateAlias don't). @default true */
  readonly invalidArn?: boolean;
}

/** What CreateKey (or the first use of an AWS managed alias) makes a key of. */
export interface NewKey {
  readonly spec: SupportedSpec;
  readonly usage: KeyUsageName;
  readonly description: string;
  readonly multiRegion: boolean;
  readonly manager: 'CUSTOMER' | 'AWS';
  readonly policy?: string;
  readonly tags?: readonly Tag[];
  readonly rotation?: KeyRotation;
}

/**
 * The endpoint's KMS keys and what belongs to them: aliases, tags, key policies, and the
 * tombstones of deleted keys. Keys live in one Region; ids are unique across all of them.
 */
export class KeyStore {
  readonly keys = new Table<StoredKey>('kms-keys', (row) => structuredClone(row));
  /** By `${region}/${alias name}`. */
  readonly aliases = new Table<AliasRecord>('kms-aliases', (row) => ({ ...row }));
  /** By key id. */
  readonly tags = new Table<TagsRecord>('kms-key-tags', (row) => structuredClone(row));
  /** By key id: the key's one policy, named default. */
  readonly policies = new Table<PolicyRecord>('kms-key-policies', (row) => ({ ...row }));
  /** By key id. */
  readonly deleted = new Table<DeletedKeyRecord>('kms-deleted-keys', (row) => ({ ...row }));

  /**
   * @param accountId the account in ARNs
   * @param now the clock for lookups made outside KMS operations (Secrets Manager's); KMS
   *   operations pass the endpoint's clock themselves
   */
  constructor(
    readonly accountId: string,
    readonly now: () => number = Date.now,
  ) {}

  get tables(): Table<unknown>[] {
    return [this.keys, this.aliases, this.tags, this.policies, this.deleted] as Table<unknown>[];
  }

  /** The ARN of a key id in a Region of this account. */
  keyArn(region: string, id: string): string {
    return `arn:aws:kms:${region}:${this.accountId}:key/${id}`;
  }

  /** The ARN of an alias name in a Region of this account. */
  aliasArn(region: string, name: string): string {
    return `arn:aws:kms:${region}:${this.accountId}:${name}`;
  }

  /** A key by id as it stands at `now`: a key past its deletion window is gone. */
  get(tx: Transaction, id: string, now: number): KeyRecord | undefined {
    const row = tx.get(this.keys, id);
    if (row === undefined) return undefined;
    const key = normalize(row);
    return key.state === 'PendingDeletion' && (key.deletionDate ?? Infinity) <= now ? undefined : key;
  }

  /** Every key of a Region as this transaction sees it, oldest first. */
  list(tx: Transaction, region: string, now: number): KeyRecord[] {
    return rows(tx, this.keys)
      .map(([id]) => this.get(tx, id, now))
      .filter((key): key is KeyRecord => key !== undefined && key.region === region)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** Writes a key's new row. */
  save(tx: Transaction, key: KeyRecord): KeyRecord {
    tx.put(this.keys, key.id, key);
    return key;
  }

  /**
   * Finds a key by key id or key ARN, and by alias name or alias ARN where the operation
   * takes them. Creates the AWS managed key of a predefined alias on first use.
   */
  lookup(
    tx: Transaction,
    keyId: string,
    region: string,
    now: number,
    options: LookupOptions = {},
  ): KeyRecord {
    const badArn = options.invalidArn === false ? notFound : invalidArn;
    let id = keyId;
    const aliasArn = /^arn:[^:]*:kms:([^:]*):([^:]*):(alias\/.*)$/.exec(keyId);
    if (keyId.startsWith('alias/') || aliasArn !== null) {
      if (options.aliases !== true) {
        const refuse = aliasArn === null ? notFound : badArn;
        throw refuse(
          `${keyId} is an alias; this operation takes a key ID or key ARN (ListAliases shows the key).`,
        );
      }
      const name = aliasArn?.[3] ?? keyId;
      const shown = aliasArn === null ? this.aliasArn(region, name) : keyId;
      const alias =
        aliasArn !== null && (aliasArn[1] !== region || aliasArn[2] !== this.accountId)
          ? undefined
          : (this.alias(tx, region, name) ?? this.createManaged(tx, region, name, now));
      if (alias === undefined) {
        throw notFound(
          `Alias ${shown} is not found: create it with CreateAlias, or check its name and Region.`,
        );
      }
      id = alias.targetKeyId;
    } else if (keyId.startsWith('arn:')) {
      const keyArn = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/([A-Za-z0-9-]+)$/.exec(keyId);
      if (keyArn === null) {
        throw badArn(`${keyId} is not a key ARN: use arn:aws:kms:<region>:<account>:key/<key id>.`);
      }
      id = keyArn[3]!;
      if (keyArn[1] !== region) {
        throw notFound(`Key '${keyId}' is not in ${region}: send the request to its Region.`);
      }
    }
    const key = this.get(tx, id, now);
    if (
      key === undefined ||
      key.region !== region ||
      (keyId.startsWith('arn:') && !aliasArn && key.arn !== keyId)
    ) {
      throw notFound(
        `Key '${this.keyArn(region, id)}' does not exist: check the key ID and Region (ListKeys).`,
      );
    }
    return key;
  }

  /** By key id, key ARN, alias name or alias ARN, at the store's clock (for Secrets Manager). */
  resolve(tx: Transaction, keyId: string, region: string): KeyRecord {
    return this.lookup(tx, keyId, region, this.now(), { aliases: true });
  }

  /** {@link resolve}, refusing a key that is disabled or pending deletion. */
  usable(tx: Transaction, keyId: string, region: string): KeyRecord {
    return requireUsable(this.resolve(tx, keyId, region));
  }

  /** Creates a key with fresh material, its key policy and tags. */
  create(tx: Transaction, region: string, spec: NewKey, now: number): KeyRecord {
    const id = spec.multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID();
    const key = this.save(tx, {
      format: 2,
      id,
      arn: this.keyArn(region, id),
      region,
      createdAt: now,
      description: spec.description,
      spec: spec.spec,
      usage: spec.usage,
      manager: spec.manager,
      multiRegion: spec.multiRegion,
      state: 'Enabled',
      rotation: spec.rotation ?? NO_ROTATION,
      materials: [{ secret: generateMaterial(spec.spec), createdAt: now }],
    });
    tx.put(this.policies, id, { policy: spec.policy ?? defaultKeyPolicy(this.accountId) });
    if (spec.tags !== undefined && spec.tags.length > 0) tx.put(this.tags, id, { tags: spec.tags });
    return key;
  }

  private createManaged(tx: Transaction, region: string, name: string, now: number): AliasRecord | undefined {
    const managed = Object.hasOwn(MANAGED_ALIASES, name) ? MANAGED_ALIASES[name] : undefined;
    if (managed === undefined) return undefined;
    const key = this.create(
      tx,
      region,
      {
        spec: 'SYMMETRIC_DEFAULT',
        usage: 'ENCRYPT_DECRYPT',
        description: managed.description,
        multiRegion: false,
        manager: 'AWS',
        policy: managedKeyPolicy(this.accountId, region, managed.service),
        // AWS rotates its managed keys every year.
        rotation: { enabled: true, periodInDays: 365, nextAt: now + 365 * DAY_MS, onDemand: 0 },
      },
      now,
    );
    return this.putAlias(tx, region, {
      name,
      arn: this.aliasArn(region, name),
      targetKeyId: key.id,
      createdAt: now,
      updatedAt: now,
    });
  }

  alias(tx: Transaction, region: string, name: string): AliasRecord | undefined {
    return tx.get(this.aliases, `${region}/${name}`);
  }

  putAlias(tx: Transaction, region: string, alias: AliasRecord): AliasRecord {
    tx.put(this.aliases, `${region}/${alias.name}`, alias);
    return alias;
  }

  deleteAlias(tx: Transaction, region: string, name: string): void {
    tx.delete(this.aliases, `${region}/${name}`);
  }

  /** The aliases of a Region as this transaction sees them. */
  aliasesIn(tx: Transaction, region: string): AliasRecord[] {
    return rows(tx, this.aliases)
      .filter(([scoped]) => scoped.startsWith(`${region}/`))
      .map(([scoped]) => tx.get(this.aliases, scoped))
      .filter((alias): alias is AliasRecord => alias !== undefined);
  }

  tagsOf(tx: Transaction, id: string): readonly Tag[] {
    return tx.get(this.tags, id)?.tags ?? [];
  }

  setTags(tx: Transaction, id: string, tags: readonly Tag[]): void {
    if (tags.length === 0) tx.delete(this.tags, id);
    else tx.put(this.tags, id, { tags });
  }

  policyOf(tx: Transaction, id: string): string {
    return tx.get(this.policies, id)?.policy ?? defaultKeyPolicy(this.accountId);
  }

  setPolicy(tx: Transaction, id: string, policy: string): void {
    tx.put(this.policies, id, { policy });
  }

  /** Whether a key with this id was deleted in this Region (its ciphertexts then name no key). */
  wasDeleted(tx: Transaction, id: string, region: string): boolean {
    return tx.get(this.deleted, id)?.region === region;
  }

  /** Adds a version of key material; ciphertexts under the older ones still decrypt. */
  rotate(tx: Transaction, key: KeyRecord, now: number, type: RotationType): KeyRecord {
    const rotation = key.rotation;
    return this.save(tx, {
      ...key,
      materials: [...key.materials, { secret: generateMaterial(key.spec), createdAt: now, rotation: type }],
      rotation: {
        ...rotation,
        onDemand: rotation.onDemand + (type === 'ON_DEMAND' ? 1 : 0),
        ...(type === 'AUTOMATIC' ? { nextAt: now + rotation.periodInDays * DAY_MS } : {}),
      },
    });
  }

  /**
   * Brings the keys up to `now`, as KMS does in the background: deletes the keys whose
   * deletion window ended (with their aliases, tags and policy) and rotates the keys whose
   * automatic rotation is due.
   */
  sweep(tx: Transaction, now: number): void {
    for (const [, row] of rows(tx, this.keys)) {
      const key = normalize(row);
      const due = key.rotation.nextAt;
      if (key.state === 'PendingDeletion' && (key.deletionDate ?? Infinity) <= now) {
        this.purge(tx, key, now);
      } else if (key.state === 'Enabled' && key.rotation.enabled && due !== undefined && due <= now) {
        this.rotate(tx, key, now, 'AUTOMATIC');
      }
    }
  }

  private purge(tx: Transaction, key: KeyRecord, now: number): void {
    tx.delete(this.keys, key.id);
    for (const alias of this.aliasesIn(tx, key.region)) {
      if (alias.targetKeyId === key.id) this.deleteAlias(tx, key.region, alias.name);
    }
    tx.delete(this.tags, key.id);
    tx.delete(this.policies, key.id);
    tx.put(this.deleted, key.id, { region: key.region, arn: key.arn, deletedAt: now });
  }
}

/** A table's rows as a transaction sees them: committed rows with its own writes over them. */
function rows<T>(tx: Transaction, table: Table<T>): Array<[string, T]> {
  const seen = new Map<string, T | undefined>();
  for (const [key, row] of table.entries()) seen.set(key, row);
  for (const change of tx.changes()) {
    if (change.table === (table as Table<unknown>)) seen.set(change.key, change.row as T | undefined);
  }
  return [...seen].filter((entry): entry is [string, T] => entry[1] !== undefined);
}
