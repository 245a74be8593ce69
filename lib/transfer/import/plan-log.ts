import { FINGERPRINT_BYTES } from './fingerprints';

/** What an import does, or in a dry run would do, to one secret. */
export type ImportAction = 'created' | 'updated' | 'unchanged' | 'skipped';

/** Why pass 1 skips a secret. */
export type SkipReason = 'map' | 'exists' | 'encrypted-json';

/**
 * What pass 1 decided for one secret: together with the bundle, all that pass 2 needs.
 * Everything else pass 2 reads from the bundle again or recomputes: the versions, their
 * tokens (derived from the names and the source version), the tags and description.
 */
export interface SecretDecision {
  readonly action: ImportAction;
  /** Why it is skipped; undefined unless `action` is skipped. */
  readonly skip: SkipReason | undefined;
  /** Versions to write or relabel, as the outcome counts them. */
  readonly versions: number;
  /** Updated: the target holds the bundle's single version already, so only its tags change. */
  readonly same: boolean;
  /**
   * Updated: which of the tags the target should carry it lacks or holds with another value,
   * bit i for the i-th of them (a secret carries at most 50 tags, plus `environment`); 0 for none.
   */
  readonly retag: bigint;
  /**
   * Updated: an earlier run of this import stored some of its versions. Where their labels are
   * now is the one thing too large to keep per secret, so pass 2 describes such a secret again
   * (an interrupted run leaves about `concurrency` of them).
   */
  readonly resumed: boolean;
}

const ACTIONS: readonly ImportAction[] = ['created', 'updated', 'unchanged', 'skipped'];
const SKIPS: readonly (SkipReason | undefined)[] = [undefined, 'map', 'exists', 'encrypted-json'];
const SAME = 1 << 4;
const RESUMED = 1 << 5;

/** A decision as one byte: action (2 bits), skip reason (2 bits), then one bit per flag. */
function encode(decision: SecretDecision): number {
  return (
    ACTIONS.indexOf(decision.action) |
    (SKIPS.indexOf(decision.skip) << 2) |
    (decision.same ? SAME : 0) |
    (decision.resumed ? RESUMED : 0)
  );
}

function decode(code: number, versions: number, retag: bigint): SecretDecision {
  return {
    action: ACTIONS[code & 3]!,
    skip: SKIPS[(code >> 2) & 3],
    versions,
    same: (code & SAME) !== 0,
    retag,
    resumed: (code & RESUMED) !== 0,
  };
}

/** Per secret: its fingerprint, its decision's byte, its version count (uint32), its tag bits (uint64). */
const CODE_AT = FINGERPRINT_BYTES;
const VERSIONS_AT = CODE_AT + 1;
const RETAG_AT = VERSIONS_AT + 4;
const RECORD_BYTES = RETAG_AT + 8;
const RECORDS_PER_CHUNK = 4096;

/**
 * The plan pass 1 hands to pass 2, in the order of the bundle: per secret a fingerprint of
 * the secret as pass 1 read it (its name, target, manifests) and its decision. Kept in fixed
 * chunks, so it grows without copying and costs 21 bytes a secret: about 2.1 MB for 10^5
 * secrets, where the plan as objects took 0.9 KB a secret.
 * The fingerprint is how pass 2 knows each secret is the one pass 1 checked and decided on.
 */
export class PlanLog {
  readonly #chunks: Buffer[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** Adds the next secret with its fingerprint, its decision to come; answers its position. */
  add(fingerprint: Buffer): number {
    const index = this.#length++;
    if (index % RECORDS_PER_CHUNK === 0) this.#chunks.push(Buffer.alloc(RECORDS_PER_CHUNK * RECORD_BYTES));
    fingerprint.copy(this.#chunks[this.#chunks.length - 1]!, (index % RECORDS_PER_CHUNK) * RECORD_BYTES);
    return index;
  }

  decide(index: number, decision: SecretDecision): void {
    const [chunk, at] = this.#at(index);
    chunk[at + CODE_AT] = encode(decision);
    chunk.writeUInt32BE(decision.versions, at + VERSIONS_AT);
    chunk.writeBigUInt64BE(decision.retag, at + RETAG_AT);
  }

  fingerprint(index: number): Buffer {
    const [chunk, at] = this.#at(index);
    return chunk.subarray(at, at + FINGERPRINT_BYTES);
  }

  decision(index: number): SecretDecision {
    const [chunk, at] = this.#at(index);
    return decode(
      chunk[at + CODE_AT]!,
      chunk.readUInt32BE(at + VERSIONS_AT),
      chunk.readBigUInt64BE(at + RETAG_AT),
    );
  }

  /** Where secret `index` (below `length`: the callers check) is stored. */
  #at(index: number): [Buffer, number] {
    return [this.#chunks[Math.floor(index / RECORDS_PER_CHUNK)]!, (index % RECORDS_PER_CHUNK) * RECORD_BYTES];
  }
}
