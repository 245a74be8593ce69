/**
 * What `copyEnvironment` plans and reports: names, versions, reasons and decisions of the
 * access policy; never a value, nor anything derived from one (no digest, no length).
 */

/**
 * Why a secret is left alone:
 * - `excluded`: its name matches an `exclude` pattern;
 * - `unchanged`: the target already holds the value and tags the copy would give it;
 * - `exists`: the target exists and keeps its value: it is a `regenerate` secret (its value
 *   is the target's own), or `overwrite` is false;
 * - `source-revoked`: the source is revoked (`keystage:status=revoked`), so nothing reads it;
 * - `target-revoked`: the target is revoked: restore it first;
 * - `target-deleted`: the target is scheduled for deletion: restore or purge it first;
 * - `kind-differs`: the target's `keystage:type` is not the source's;
 * - `unknown-kind`: the source's `keystage:type` is a kind this keystage does not know;
 * - `outside-environment`: the source is tagged for the environment but not named
 *   `{environment}/{service}/{name}`, so it has no place in the target.
 */
export type CopySkipReason =
  | 'excluded'
  | 'unchanged'
  | 'exists'
  | 'source-revoked'
  | 'target-revoked'
  | 'target-deleted'
  | 'kind-differs'
  | 'unknown-kind'
  | 'outside-environment';

/** What an update changes on an existing target. */
export type CopyChange = 'value' | 'tags';

/** The access policy's refusal of a planned write. */
export interface CopyDenial {
  /** The id of the rule that decided; undefined for a default deny. */
  readonly rule: string | undefined;
  readonly reason: string;
}

interface CopyEntryBase {
  /** The source secret's full name. */
  readonly source: string;
  /** The service: the name segment after the environment. Undefined outside the environment. */
  readonly service: string | undefined;
  /** True when the target's value is generated (a `regenerate` secret), never copied. */
  readonly regenerate: boolean;
}

/** A write: the target is created, or updated. */
interface CopyWriteEntry extends CopyEntryBase {
  /** The target secret's full name: `{to}/{service}/{name}`, the name transformed. */
  readonly target: string;
  /** The source version the value comes from; undefined for a generated value. */
  readonly sourceVersionId: string | undefined;
  /** Set when the access policy refuses a write this entry needs (a dry run reports it; a run stops). */
  readonly denied: CopyDenial | undefined;
  /** `planned` in a dry run (and before the write); `done` once written. */
  readonly outcome: 'planned' | 'done';
  /** The target's AWSCURRENT version after the write; undefined until done, or when only tags changed. */
  readonly versionId: string | undefined;
}

/** The target does not exist: it is created with the source's kind, description and tags. */
export interface CopyCreate extends CopyWriteEntry {
  readonly action: 'create';
}

/** The target exists and differs: a new version (`value`) and/or tags. */
export interface CopyUpdate extends CopyWriteEntry {
  readonly action: 'update';
  readonly changes: readonly CopyChange[];
}

/** Nothing is written for this secret. */
export interface CopySkip extends CopyEntryBase {
  readonly action: 'skip';
  readonly reason: CopySkipReason;
  /** The target's full name; undefined for `outside-environment`. */
  readonly target: string | undefined;
}

/** One secret of the plan. */
export type CopyEntry = CopyCreate | CopyUpdate | CopySkip;

/** The plan, and with `dryRun` false its outcome. */
export interface CopyResult {
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
  /** One entry per source secret, in name order. */
  readonly entries: readonly CopyEntry[];
  /** How many entries are creates, updates and skips. */
  readonly counts: { readonly create: number; readonly update: number; readonly skip: number };
}
