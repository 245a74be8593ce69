import type { SecretKind, VersionStage } from '../../../core';
import type { CallOptions } from '../../options';

/** One check `test` ran on a secret. */
export interface SecretCheck {
  /**
   * What was checked: `kind` (the secret says what it holds), `shape` (the value has the
   * kind's form), `login` (a database accepts the credentials), `checksum` (an API key),
   * `chain`, `expiry` and `key` (a certificate), `unwrap` (a data key opens with KMS),
   * `decrypt` (an encrypted-json value opens with the client's envelope key).
   */
  readonly name: string;
  readonly ok: boolean;
  /** Why it passed or failed, in words. Never a value, nor a part of one. */
  readonly reason: string;
}

/** What `test` found. */
export interface SecretTestResult {
  readonly arn: string;
  readonly name: string;
  /** The version tested. */
  readonly versionId: string;
  /** The kind the checks were chosen by; undefined when the secret says none and none was given. */
  readonly kind: SecretKind | undefined;
  /** True when every check passed. A check that could not run counts as failed. */
  readonly ok: boolean;
  readonly checks: readonly SecretCheck[];
}

export interface TestOptions extends CallOptions {
  /** The kind to check the value as. @default - the secret's `keystage:type` tag */
  readonly kind?: SecretKind;
  /** @default 'AWSCURRENT' (when no versionId) */
  readonly versionStage?: VersionStage;
  /** @default - the version holding `versionStage` */
  readonly versionId?: string;
  /**
   * How long a database login may take to connect (and then to answer `SELECT 1`).
   * @default 5000
   */
  readonly connectTimeoutMs?: number;
}

/** A passed check. */
export const passed = (name: string, reason: string): SecretCheck => ({ name, ok: true, reason });

/** A failed check. */
export const failed = (name: string, reason: string): SecretCheck => ({ name, ok: false, reason });
