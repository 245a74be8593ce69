import type { CreateSecretOptions, SecretListItem } from '../../client';
import { ValidationError } from '../../errors';
import type { CopyEntry, CopySkipReason } from './copy-entry';

/** A write the plan makes, as data: checked when planned, authorized before the first write. */
export type PlannedWrite =
  | { readonly op: 'create'; readonly options: CreateSecretOptions }
  | {
      readonly op: 'put';
      readonly value: string | Uint8Array;
      readonly token: string;
      readonly encrypted: boolean;
    }
  | { readonly op: 'tag'; readonly tags: Readonly<Record<string, string>> };

/** One entry of the plan and the writes it needs, in order. */
export interface PlannedCopy {
  readonly entry: CopyEntry;
  /** The target the writes go to; undefined for a skip. */
  readonly target: string | undefined;
  readonly writes: readonly PlannedWrite[];
}

/** Re-raises a check's failure with the secret it was about, fields kept, nothing of a value added. */
export function about(source: string, target: string, error: unknown): unknown {
  if (!(error instanceof ValidationError) || error.secretId !== undefined) return error;
  return new ValidationError(
    error.field,
    `Secret ${JSON.stringify(source)} cannot be copied to ${JSON.stringify(target)}: ${error.message}`,
    { cause: error, secretId: source },
  );
}

/** A skip: an entry and no writes. */
export function skip(
  item: SecretListItem,
  service: string | undefined,
  target: string | undefined,
  reason: CopySkipReason,
  regenerate = false,
): PlannedCopy {
  return {
    entry: { action: 'skip', source: item.name, service, target, reason, regenerate },
    target: undefined,
    writes: [],
  };
}
