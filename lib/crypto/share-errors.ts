import { SecretDecodeError } from '../errors';

/**
 * What was wrong with the shares or the sealed value given to `combineShares`:
 * - `malformed-share`: a share does not decode (not a share, wrong version or length, an
 *   impossible header); named.
 * - `foreign-share`: a share belongs to another split than the sealed value (or its split id,
 *   threshold or count was damaged); named.
 * - `damaged-share`: a share fails its integrity tag under the recovered key; named.
 * - `unidentified-share`: the shares do not reconstruct the key and no subset of them does,
 *   so the bad one cannot be named; `suspects` holds the positions that may be at fault.
 * - `malformed-sealed`, `foreign-sealed`, `damaged-sealed`: the same for the sealed value.
 */
export type ShareProblem =
  | 'malformed-share'
  | 'foreign-share'
  | 'damaged-share'
  | 'unidentified-share'
  | 'malformed-sealed'
  | 'foreign-sealed'
  | 'damaged-sealed';

export interface ShareDecodeErrorOptions {
  /** Positions (in the array given to `combineShares`) of the shares known to be bad. @default [] */
  readonly positions?: readonly number[];
  /** Positions of which at least one is bad, when none can be singled out. @default [] */
  readonly suspects?: readonly number[];
  /** The underlying error (the Encryption SDK's, for a sealed value that does not decrypt). @default - none */
  readonly cause?: unknown;
}

/**
 * A split's shares or sealed value are damaged, foreign or mixed (code `DECODE_ERROR`).
 * `problem` says which, `positions` which shares (by position in the array passed to
 * `combineShares`) are bad. The message names them by position and share index, and never
 * contains share bytes or the secret.
 * @example
 * try {
 *   await combineShares(shares, sealed);
 * } catch (error) {
 *   if (error instanceof ShareDecodeError && error.problem === 'damaged-share') askAgainFor(error.positions);
 *   else throw error;
 * }
 */
export class ShareDecodeError extends SecretDecodeError {
  readonly problem: ShareProblem;
  /** Positions of the shares known to be bad; empty when the sealed value is at fault or none can be named. */
  readonly positions: readonly number[];
  /** Positions of which at least one is bad, for `unidentified-share`; otherwise empty. */
  readonly suspects: readonly number[];

  constructor(problem: ShareProblem, message: string, options: ShareDecodeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.problem = problem;
    this.positions = Object.freeze([...(options.positions ?? [])]);
    this.suspects = Object.freeze([...(options.suspects ?? [])]);
  }

  override toJSON(): ReturnType<SecretDecodeError['toJSON']> & {
    problem: ShareProblem;
    positions: readonly number[];
    suspects: readonly number[];
  } {
    return { ...super.toJSON(), problem: this.problem, positions: this.positions, suspects: this.suspects };
  }
}
