import { isArn, namesSecret, partialArn } from '../core';

/**
 * How the cache finds one secret under the forms callers name it by (name, full ARN,
 * partial ARN; lib/core/secret-id says how they relate). Each form becomes an index key
 * only once a read used it; a first read by ARN of a secret cached by name is answered by
 * looking up the name inside the ARN and checking the entry's own ARN (see SlotIndex).
 */

const SECRET_MARK = ':secret:';
/** Any run of `-` + six letters or digits at the end: what a full ARN adds to a name. */
const SUFFIXES = /(?:-[A-Za-z0-9]{6})+$/;

/** The name inside a full secret ARN; undefined when `arn` is not one. */
export function nameInArn(arn: string): string | undefined {
  const partial = partialArn(arn);
  return partial?.slice(partial.indexOf(SECRET_MARK) + SECRET_MARK.length);
}

/** Whether `id` is the name, full ARN or partial ARN of the secret whose full ARN is `arn`. */
export function isFormOf(id: string, arn: string): boolean {
  return namesSecret(id, nameInArn(arn), arn);
}

/**
 * The names an ARN form not yet seen may belong to: for `arn:...:secret:app/db-AbCdEf`, both
 * `app/db-AbCdEf` (if it is a partial ARN) and `app/db` (if it is a full one). Either is
 * checked against the cached secret's own ARN before use.
 */
export function namesInArnForm(id: string): string[] {
  const at = isArn(id) ? id.indexOf(SECRET_MARK) : -1;
  if (at < 0) return [];
  const rest = id.slice(at + SECRET_MARK.length);
  const full = /.-[A-Za-z0-9]{6}$/.test(rest) ? rest.slice(0, -7) : undefined;
  return full === undefined ? [rest] : [rest, full];
}

/**
 * One key for every form of a secret, known without its ARN: the name part, less any
 * trailing runs of `-` and six letters or digits (the ARN suffix). Two secrets may share a family (`app/db` and `app/db-AbCdEf`, or
 * one name in two accounts); that makes invalidation and frequency counting a little
 * conservative for them, never wrong.
 */
export function secretFamily(id: string): string {
  const at = isArn(id) ? id.indexOf(SECRET_MARK) : -1;
  const name = at < 0 ? id : id.slice(at + SECRET_MARK.length);
  const family = name.replace(SUFFIXES, '');
  return family === '' ? name : family;
}
