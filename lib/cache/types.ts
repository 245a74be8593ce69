import type { KeystageError } from '../errors';

/** One version of a secret as the service returned it. Immutable: keyed by VersionId. */
export interface FetchedSecret {
  readonly arn: string;
  readonly name: string;
  readonly versionId: string;
  readonly text: string | undefined;
  readonly binary: Uint8Array | undefined;
}

/** Which version a read asks for: a label (AWSCURRENT by default), an exact VersionId, or both. */
export interface VersionSelector {
  readonly versionStage?: string;
  readonly versionId?: string;
}

/** Where the cache reads from; SecretsClient provides it over Secrets Manager. */
export interface SecretSource {
  fetch(id: string, selector: VersionSelector): Promise<FetchedSecret>;
  fetchMany(ids: readonly string[]): Promise<{
    readonly values: ReadonlyMap<string, FetchedSecret>;
    readonly errors: ReadonlyMap<string, KeystageError>;
  }>;
}

export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly refreshes: number;
  readonly staleServes: number;
  readonly errors: number;
  readonly evictions: number;
  /** Secrets held now. */
  readonly size: number;
}
