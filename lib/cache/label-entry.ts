import type { Refresh } from './backoff';
import type { FetchedSecret } from './types';

/**
 * One version of a secret as callers get it: immutable, keyed by VersionId, shared by every
 * label that points at it, with what reads derive from it made once.
 */
export class CachedVersion implements FetchedSecret {
  /** Parsed once per version object; frozen so callers cannot change what others read. */
  json: { readonly value: unknown } | undefined = undefined;
  /**
   * The string value as one settled promise, shared by every hit: awaiting a settled
   * promise costs a microtask, where making a new one per read also costs an allocation.
   */
  settledText: Promise<string> | undefined = undefined;

  constructor(
    readonly arn: string,
    readonly name: string,
    readonly versionId: string,
    readonly text: string | undefined,
    readonly binary: Uint8Array | undefined,
  ) {}
}

/**
 * `ms` in the representation V8 keeps inside an object (a small integer) when it is one;
 * arithmetic on Date.now() values yields doubles even when they are whole, and one double
 * stored in a field makes V8 box that field, 16 bytes more for every entry.
 */
export function smallInteger(ms: number): number {
  return (ms | 0) === ms ? ms | 0 : ms;
}

/**
 * What a label (AWSCURRENT, AWSPREVIOUS, ...) points at, and until when that is trusted.
 * Times are cache times: milliseconds since the cache's base (see SecretCache), small
 * integers, so V8 keeps them in the object instead of boxing a double per entry.
 */
export interface LabelState {
  /** From here a read starts a background refresh; expiry and staleness follow from the options. */
  refreshAt: number;
  /** Only while a refresh runs or after one failed; a success replaces the label's state. */
  refresh: Refresh | undefined;
  /** The VersionId the label points at. */
  readonly versionId: string | undefined;
  /** The version the label points at, as handed to callers. */
  value(): CachedVersion;
  /** The string value as a settled promise, or undefined for a binary secret. */
  settledText(): Promise<string> | undefined;
}

/** A label other than AWSCURRENT (AWSCURRENT lives in the SecretEntry itself). */
export class LabelEntry implements LabelState {
  refresh: Refresh | undefined = undefined;

  constructor(
    readonly version: CachedVersion,
    public refreshAt: number,
  ) {}

  get versionId(): string {
    return this.version.versionId;
  }

  value(): CachedVersion {
    return this.version;
  }

  settledText(): Promise<string> | undefined {
    const { version } = this;
    if (version.text === undefined) return undefined;
    return (version.settledText ??= Promise.resolve(version.text));
  }
}
