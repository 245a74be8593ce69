import { createHash } from 'node:crypto';
import { ValidationError } from '../../errors';

/**
 * A job's record is tags on its target (the ECS service, the Lambda function), so there is
 * no state anywhere else: whoever can read the target's tags can see, refresh or revoke the
 * job. Tags hold at most 256 characters, so the lists (variable names, secret versions) are
 * split over numbered tags; the first tag of a list starts with how many there are, and all
 * of them are written by one TagResource call, so a crash never leaves a list half-written.
 */

/** The tag that names the job; every other record tag starts with it. */
export const INJECTION_TAG = 'keystage:injection';
const DIGEST_TAG = `${INJECTION_TAG}:digest`;
const CONTAINER_TAG = `${INJECTION_TAG}:container`;
const LAYER_TAG = `${INJECTION_TAG}:layer`;
const NAMES_TAG = `${INJECTION_TAG}:names`;
const VERSIONS_TAG = `${INJECTION_TAG}:versions`;
const MAX_TAG_VALUE = 256;
const MAX_CHUNKS = 8;

export interface JobRecord {
  readonly id: string;
  /** The digest of what was injected (see `injectionDigest`). */
  readonly digest: string;
  /** ECS: the container that holds the entries. */
  readonly container: string | undefined;
  /** Every variable the job set. */
  readonly names: readonly string[];
  /** Secret ARN fingerprint -> fingerprint of the AWSCURRENT VersionId the last deployment read. */
  readonly versions: ReadonlyMap<string, string>;
  /** Lambda: the job added the extension layer (so revoke removes it). */
  readonly layerAdded: boolean;
}

/** A short, stable fingerprint of an ARN or a VersionId; neither is secret, they are long. */
function fingerprint(text: string, length: number): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, length);
}

/** The record's word for one secret's version: `<arn fingerprint>=<version fingerprint>`. */
export function versionWord(secretArn: string, versionId: string): [string, string] {
  return [fingerprint(secretArn, 6), fingerprint(versionId, 8)];
}

/** Whether the version the record holds for `secretArn` is `versionId`; undefined when none is held. */
export function sameVersion(
  record: JobRecord,
  secretArn: string,
  versionId: string | undefined,
): boolean | undefined {
  const [arnPrint, versionPrint] = versionWord(secretArn, versionId ?? '');
  const held = record.versions.get(arnPrint);
  if (held === undefined) return undefined;
  return versionId !== undefined && held === versionPrint;
}

/**
 * The digest of an injection: the container, each secret variable with its ARN and JSON
 * key, each plain variable with its value (plain values are not secrets; see plaintext.ts).
 * Computed the same way from a request and from a live configuration, so equal digests mean
 * the target holds what was asked.
 */
export function injectionDigest(parts: {
  readonly container: string | undefined;
  readonly secrets: ReadonlyArray<{
    readonly name: string;
    readonly secretArn: string;
    readonly jsonKey: string | undefined;
  }>;
  readonly environment: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}): string {
  const canonical = JSON.stringify([
    parts.container ?? '',
    [...parts.secrets].map((s) => [s.name, s.secretArn, s.jsonKey ?? '']).sort(byFirst),
    [...parts.environment].map((e) => [e.name, e.value]).sort(byFirst),
  ]);
  return createHash('sha256').update(canonical).digest('base64url');
}

function byFirst(a: readonly string[], b: readonly string[]): number {
  return a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0;
}

/** Splits words over numbered tags, the first value led by the count. */
function chunked(key: string, words: readonly string[]): Record<string, string> | undefined {
  const chunks: string[][] = [[]];
  // Room for the count ("8 ") in the first chunk.
  let room = MAX_TAG_VALUE - 2;
  for (const word of words) {
    const need = chunks[chunks.length - 1]!.length === 0 ? word.length : word.length + 1;
    if (need > room) {
      chunks.push([]);
      room = MAX_TAG_VALUE;
    }
    const current = chunks[chunks.length - 1]!;
    room -= current.length === 0 ? word.length : word.length + 1;
    current.push(word);
  }
  if (chunks.length > MAX_CHUNKS) return undefined;
  const tags: Record<string, string> = {};
  chunks.forEach((chunk, i) => {
    const text = chunk.join(' ');
    tags[i === 0 ? key : `${key}.${i + 1}`] =
      i === 0 ? `${chunks.length}${text === '' ? '' : ` ${text}`}` : text;
  });
  return tags;
}

function unchunked(key: string, tags: Readonly<Record<string, string>>): string[] {
  const first = tags[key];
  if (first === undefined) return [];
  const [count, ...words] = first.split(' ').filter((word) => word !== '');
  const total = Number(count);
  for (let i = 2; Number.isInteger(total) && i <= Math.min(total, MAX_CHUNKS); i++) {
    words.push(...(tags[`${key}.${i}`] ?? '').split(' ').filter((word) => word !== ''));
  }
  return words;
}

/**
 * Throws (before any I/O) when the variable names would not fit the record's tags.
 * @throws ValidationError (field `mappings`)
 */
export function checkRecordFits(names: readonly string[]): void {
  if (chunked(NAMES_TAG, names) === undefined) {
    throw new ValidationError(
      'mappings',
      `the ${names.length} variable names are too long to record in the target's tags ` +
        `(${MAX_CHUNKS} tags of ${MAX_TAG_VALUE} characters): use shorter names or fewer variables.`,
    );
  }
}

/** The record as tags. */
export function recordTags(record: JobRecord): Record<string, string> {
  const versions = [...record.versions].map(([arn, version]) => `${arn}=${version}`).sort();
  return {
    [INJECTION_TAG]: record.id,
    [DIGEST_TAG]: record.digest,
    ...(record.container === undefined ? {} : { [CONTAINER_TAG]: record.container }),
    ...(record.layerAdded ? { [LAYER_TAG]: 'added' } : {}),
    ...chunked(NAMES_TAG, record.names),
    // At most MAX_MAPPINGS secrets of 16 characters each: always fits.
    ...chunked(VERSIONS_TAG, versions),
  };
}

/** The record the tags hold, or undefined when the target has no job. */
export function readRecord(tags: Readonly<Record<string, string>>): JobRecord | undefined {
  const id = tags[INJECTION_TAG];
  if (id === undefined) return undefined;
  const versions = new Map<string, string>();
  for (const word of unchunked(VERSIONS_TAG, tags)) {
    const [arn, version] = word.split('=');
    if (arn !== undefined && version !== undefined) versions.set(arn, version);
  }
  return {
    id,
    digest: tags[DIGEST_TAG] ?? '',
    container: tags[CONTAINER_TAG],
    names: unchunked(NAMES_TAG, tags),
    versions,
    layerAdded: tags[LAYER_TAG] === 'added',
  };
}

/**
 * Lambda: the tag that says keystage added the extension layer. It is written before the
 * layer is added, so a run that stops after adding it still knows, when run again, that the
 * layer is keystage's to remove.
 */
export const LAYER_MARK: Readonly<Record<string, string>> = Object.freeze({ [LAYER_TAG]: 'added' });

/** Whether the tags say keystage added the extension layer (with or without a whole record). */
export function layerMarked(tags: Readonly<Record<string, string>>): boolean {
  return tags[LAYER_TAG] === 'added';
}

/** Whether a tag key is part of a job record. */
export function isRecordTag(key: string): boolean {
  return key === INJECTION_TAG || key.startsWith(`${INJECTION_TAG}:`);
}

/** What to write to turn the `current` tags into `next`: tags to set and record keys to remove. */
export function recordChanges(
  current: Readonly<Record<string, string>>,
  next: Readonly<Record<string, string>>,
): { readonly set: Record<string, string>; readonly remove: string[] } {
  const set: Record<string, string> = {};
  for (const [key, value] of Object.entries(next)) if (current[key] !== value) set[key] = value;
  const remove = Object.keys(current).filter((key) => isRecordTag(key) && !(key in next));
  return { set, remove };
}
