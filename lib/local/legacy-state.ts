import { createDecipheriv } from 'node:crypto';
import { SecretDecodeError } from '../errors';
import type { KeyStore, KeyRecord, AliasRecord } from './kms/keys';
import type { StoredValue } from './secrets-manager/records';
import type { SecretStore } from './secrets-manager/store';
import type { DataDir } from './storage/data-dir';
import type { FileSystem } from './storage/file-system';
import type { Journal } from './storage/journal';
import { Transaction } from './storage/table';

/** keystage 0.1 kept the whole state as one AES-256-GCM document. */
const LEGACY_FILE = 'state.json.enc';
const LEGACY_AAD = Buffer.from('keystage-local-state/1');

interface LegacyVersion {
  readonly id: string;
  readonly value?: StoredValue;
  readonly stages: string[];
  readonly createdAt: number;
  readonly lastAccessedAt?: number;
}

interface LegacySecret {
  readonly name: string;
  readonly arn: string;
  readonly region: string;
  readonly description?: string;
  readonly kmsKeyId?: string;
  readonly createdAt: number;
  readonly lastChangedAt: number;
  readonly lastAccessedAt?: number;
  readonly lastRotatedAt?: number;
  readonly nextRotationAt?: number;
  readonly deletionDate?: number;
  readonly rotation: { enabled: boolean; lambdaArn?: string; rules?: Record<string, unknown> };
  readonly tags: Record<string, string>;
  readonly policy?: string;
  readonly replicas: Array<{ region: string; kmsKeyId?: string }>;
  readonly versions: LegacyVersion[];
}

export interface LegacyState {
  readonly secrets: LegacySecret[];
  readonly keys: KeyRecord[];
  readonly aliases: Array<[string, AliasRecord]>;
}

function decrypt(files: FileSystem, path: string, master: Buffer): LegacyState {
  const problem = `${path} (keystage 0.1 state) cannot be read`;
  let envelope: { format?: unknown; version?: unknown; iv?: string; tag?: string; data?: string };
  try {
    envelope = JSON.parse(files.readFileSync(path, 'utf8')) as typeof envelope;
  } catch {
    throw new SecretDecodeError(`${problem}: it is not JSON. Move it away to start empty.`);
  }
  const tag = Buffer.from(envelope.tag ?? '', 'base64');
  if (envelope.format !== 'keystage-local-state' || envelope.version !== 1 || tag.length !== 16) {
    throw new SecretDecodeError(
      `${problem}: it is not format keystage-local-state version 1. Move it away to start empty.`,
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', master, Buffer.from(envelope.iv ?? '', 'base64'), {
      authTagLength: 16,
    });
    decipher.setAAD(LEGACY_AAD);
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([
      decipher.update(Buffer.from(envelope.data ?? '', 'base64')),
      decipher.final(),
    ]);
    return JSON.parse(plain.toString('utf8')) as LegacyState;
  } catch {
    throw new SecretDecodeError(
      `${problem}: it does not decrypt with master.key (a different key, or a damaged file).`,
    );
  }
}

/** The state of a keystage 0.1 data directory, if it has one; read before anything is created. */
export function readLegacyState(dir: DataDir, files: FileSystem): LegacyState | undefined {
  if (!dir.hasLegacyState()) return undefined;
  return decrypt(files, dir.file(LEGACY_FILE), dir.masterKey(true));
}

/**
 * Moves the state of a keystage 0.1 data directory into the log: every secret with its
 * versions, values and dates, every key and alias. The old file is renamed, not deleted,
 * once the migrated state is durable; a crash before the rename repeats the migration, which
 * writes the same rows again.
 */
export async function importLegacyState(
  state: LegacyState,
  dir: DataDir,
  files: FileSystem,
  store: SecretStore,
  keys: KeyStore,
  journal: Journal,
  log: (line: string) => void,
): Promise<void> {
  const path = dir.file(LEGACY_FILE);
  const tx = new Transaction();
  const day = (ms: number | undefined) =>
    ms === undefined ? undefined : Math.floor(ms / 86_400_000) * 86_400_000;
  [...state.secrets]
    .sort((a, b) => a.createdAt - b.createdAt)
    .forEach((old) => {
      const { lastAccessedAt, versions, replicas, ...rest } = old;
      const record = {
        ...rest,
        seq: store.find(tx, old.name, old.region)?.seq ?? store.nextSeq(),
        replicas: replicas.map((replica) => ({ ...replica, status: 'InSync' as const })),
        versions: versions.map((version) => ({
          id: version.id,
          hasValue: version.value !== undefined,
          stages: [...version.stages],
          createdAt: version.createdAt,
        })),
      };
      store.insert(tx, record);
      const accessed = day(lastAccessedAt);
      if (accessed !== undefined) store.setAccessed(tx, record, undefined, accessed);
      for (const version of versions) {
        if (version.value !== undefined) store.setValue(tx, record, version.id, version.value);
        const versionDay = day(version.lastAccessedAt);
        if (versionDay !== undefined) store.setAccessed(tx, record, version.id, versionDay);
      }
    });
  for (const key of state.keys) tx.put(keys.keys, key.id, key);
  for (const [scoped, alias] of state.aliases) tx.put(keys.aliases, scoped, alias);
  await journal.commit(tx);
  files.renameSync(path, `${path}.migrated`);
  log(
    `migrated ${state.secrets.length} secrets and ${state.keys.length} keys from ${path} (kept as ${LEGACY_FILE}.migrated)`,
  );
}
