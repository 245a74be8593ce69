import { partialArn } from '../core';
import type { Refresh } from './backoff';
import type { Evictable } from './eviction';
import { CachedVersion, LabelEntry, type LabelState } from './label-entry';
import { nameInArn } from './secret-ids';
import type { FetchedSecret } from './types';

const CURRENT = 'AWSCURRENT';
/** Versions no label points at (learned by VersionId, or displaced by a rotation) kept per secret. */
const MAX_UNLABELLED_VERSIONS = 8;

/** What few secrets need: labels other than AWSCURRENT, versions no label points at, odd names. */
interface EntryExtras {
  labels: Map<string, LabelEntry> | undefined;
  versions: Map<string, CachedVersion> | undefined;
  /** Ids that reached this secret but are none of its name, ARN or partial ARN (see SlotIndex). */
  aliases: string[] | undefined;
  /** The secret's name when it is not the one inside its ARN (a source that answers without one). */
  name: string | undefined;
}

/**
 * Everything cached about one secret, shared by its name, full ARN and partial ARN: one
 * object with fields, not maps of maps. The entry holds its AWSCURRENT label inline (the
 * label nearly every read asks for): VersionId, value, expiry. A CachedVersion object for it
 * is made only when a caller asks for one (`value()`, from `get`), not for the string reads
 * of the hot path. Everything rarer hangs off `extras`, created when first needed.
 */
export class SecretEntry implements LabelState, Evictable<SecretEntry> {
  /** AWSCURRENT's VersionId; undefined while AWSCURRENT is not cached. */
  versionId: string | undefined = undefined;
  text: string | undefined = undefined;
  binary: Uint8Array | undefined = undefined;
  /** AWSCURRENT's string value as one settled promise (see CachedVersion.settledText). */
  settled: Promise<string> | undefined = undefined;
  /** AWSCURRENT as a CachedVersion, once a caller asked for one. */
  version: CachedVersion | undefined = undefined;
  refreshAt = 0;
  refresh: Refresh | undefined = undefined;
  prev: SecretEntry | undefined = undefined;
  next: SecretEntry | undefined = undefined;
  /** Kept by the eviction policy: the key's hash, its flags, reads not yet counted. */
  meta: number;
  extras: EntryExtras | undefined = undefined;

  constructor(
    readonly arn: string,
    hash: number,
  ) {
    this.meta = hash;
  }

  /** The secret's name, as the service gave it. */
  get name(): string {
    return this.extras?.name ?? nameInArn(this.arn) ?? this.arn;
  }

  /** Records the name the service gave, when the ARN does not already say it. */
  noteName(name: string): void {
    if (name !== this.name) extrasOf(this).name = name;
  }

  value(): CachedVersion {
    return (this.version ??= new CachedVersion(this.arn, this.name, this.versionId!, this.text, this.binary));
  }

  settledText(): Promise<string> | undefined {
    if (this.text === undefined) return undefined;
    return (this.settled ??= Promise.resolve(this.text));
  }

  /** The state of a label, if cached. */
  label(name: string): LabelState | undefined {
    if (name === CURRENT) return this.versionId === undefined ? undefined : this;
    return this.extras?.labels?.get(name);
  }

  /**
   * Points AWSCURRENT at a version, trusted until `refreshAt` (+ refreshAheadMs). `known` is
   * the version's object if one exists already. Any refresh state (and backoff) ends.
   */
  setCurrent(fetched: FetchedSecret, known: CachedVersion | undefined, refreshAt: number): void {
    if (this.versionId !== fetched.versionId) {
      // The version a rotation moved AWSCURRENT off stays readable by its VersionId.
      if (this.versionId !== undefined && !labelledElsewhere(this, this.versionId))
        this.keepVersion(this.value());
      const source = known ?? fetched;
      this.versionId = source.versionId;
      this.text = source.text;
      this.binary = source.binary;
      this.version = known;
      this.settled = known?.settledText;
    }
    this.refreshAt = refreshAt;
    this.refresh = undefined;
  }

  /** Points another label at a version, trusted until `refreshAt` (+ refreshAheadMs). */
  setLabel(name: string, version: CachedVersion, refreshAt: number): void {
    const labels = (extrasOf(this).labels ??= new Map());
    const displaced = labels.get(name)?.version;
    labels.set(name, new LabelEntry(version, refreshAt));
    if (
      displaced !== undefined &&
      displaced !== version &&
      !(this.versionId === displaced.versionId || labelledElsewhere(this, displaced.versionId))
    )
      this.keepVersion(displaced);
  }

  /** Forgets what a label points at (a failure that must end serving it); its version is not kept. */
  deleteLabel(name: string): void {
    if (name === CURRENT) {
      this.versionId = this.text = this.binary = this.settled = this.version = undefined;
      this.refresh = undefined;
    } else this.extras?.labels?.delete(name);
  }

  /**
   * A version object by VersionId, if one exists (values by VersionId never change, so any
   * one is good); AWSCURRENT's is made if needed only when `make` is set.
   */
  findVersion(versionId: string, make: boolean): CachedVersion | undefined {
    if (this.versionId === versionId && (make || this.version !== undefined)) return this.value();
    const extras = this.extras;
    if (extras === undefined) return undefined;
    if (extras.labels !== undefined)
      for (const state of extras.labels.values()) if (state.versionId === versionId) return state.version;
    return extras.versions?.get(versionId);
  }

  /** Keeps a version no label may point at, a few per secret, oldest out first. */
  keepVersion(version: CachedVersion): void {
    const versions = (extrasOf(this).versions ??= new Map());
    versions.set(version.versionId, version);
    if (versions.size > MAX_UNLABELLED_VERSIONS) versions.delete(versions.keys().next().value as string);
  }

  addAlias(id: string): void {
    (extrasOf(this).aliases ??= []).push(id);
  }

  /** Every id form that may lead here: for SlotIndex.forget. */
  forms(): Array<string | undefined> {
    return [
      this.arn,
      partialArn(this.arn),
      nameInArn(this.arn),
      this.extras?.name,
      ...(this.extras?.aliases ?? []),
    ];
  }

  /** Every label state held (this one first, even when AWSCURRENT is not cached). */
  *labelStates(): IterableIterator<LabelState> {
    yield this;
    if (this.extras?.labels !== undefined) yield* this.extras.labels.values();
  }
}

// Module functions, not private methods: a class with private methods gives every instance
// a brand slot, 8 bytes per cached secret.

function extrasOf(entry: SecretEntry): EntryExtras {
  return (entry.extras ??= { labels: undefined, versions: undefined, aliases: undefined, name: undefined });
}

function labelledElsewhere(entry: SecretEntry, versionId: string): boolean {
  for (const state of entry.extras?.labels?.values() ?? []) if (state.versionId === versionId) return true;
  return false;
}
