import { createHash, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../../audit/canonical-json';
import type { FetchedSecret } from '../../cache';
import { validateInteger, validateSecretId, validateVersionStage } from '../../core';
import { SecretDecodeError, SecretNotFoundError, ValidationError, show } from '../../errors';
import type { Operation } from '../operation';
import type { CallOptions } from '../options';
import { SealedSecretValue } from '../sealed-value';
import { fetchVersion } from './read';
import type { SecretVersion } from './secret-summary';
import { fetchVersions } from './versions';

export interface DiffOptions extends CallOptions {
  /**
   * How many levels of nested JSON objects are compared key by key. Below that depth a
   * subtree is compared as one leaf: its path is reported as changed, not the keys inside.
   * Limits: 1 to 32.
   * @default 8
   */
  readonly depth?: number;
}

/** How a version's value reads: a JSON object, other text, or bytes. */
export type VersionFormat = 'json' | 'string' | 'binary';

/** One side of a diff: which version it is and the shape of its value, never the value. */
export interface DiffSide {
  readonly versionId: string;
  /** Its staging labels when the diff was made. */
  readonly stages: readonly string[];
  readonly createdAt: Date | undefined;
  readonly format: VersionFormat;
  /** The value's size in bytes (UTF-8 for text), as Secrets Manager counts it. */
  readonly length: number;
}

/**
 * The keys of two JSON objects that differ, as dotted paths (`db.password`); a `.` or `\` in
 * a key is escaped with `\`. Where a key exists on one side only, the path stops there: an
 * object added whole is one path. Arrays are leaves.
 */
export interface KeyChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  /** How many leaves are the same on both sides. */
  readonly unchanged: number;
}

interface DiffFacts {
  readonly arn: string;
  readonly name: string;
  readonly from: DiffSide;
  readonly to: DiffSide;
  /** True when the two values differ (compared in constant time). */
  readonly changed: boolean;
}

/** Two JSON objects, compared key by key. */
export interface JsonVersionDiff extends DiffFacts {
  readonly format: 'json';
  readonly keys: KeyChanges;
}

/**
 * Two strings or two byte values, compared whole; `mixed` when the sides differ in format
 * (a JSON object and plain text, text and bytes), which always counts as changed.
 */
export interface ValueVersionDiff extends DiffFacts {
  readonly format: 'string' | 'binary' | 'mixed';
}

/** What changed between two versions of a secret: key names, lengths and formats, never a value. */
export type VersionDiff = JsonVersionDiff | ValueVersionDiff;

interface DiffRequest {
  readonly secretId: string;
  readonly from: string;
  readonly to: string;
  readonly depth: number;
}

const DEFAULT_DEPTH = 8;
/** JSON nested deeper than this is compared as text: key-by-key recursion stays shallow. */
const MAX_NESTING = 64;

type Content =
  | { readonly format: 'json'; readonly object: Record<string, unknown>; readonly length: number }
  | { readonly format: 'string'; readonly text: string; readonly length: number }
  | { readonly format: 'binary'; readonly bytes: Uint8Array; readonly length: number };

function digest(data: string | Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Equality of two values without a timing signal of where they first differ. */
function sameValue(a: string | Uint8Array, b: string | Uint8Array): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** How deeply `text`'s arrays and objects nest, counted outside strings without recursion. */
function nesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') deepest = Math.max(deepest, ++depth);
    else if (ch === '}' || ch === ']') depth--;
  }
  return deepest;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{') || nesting(text) > MAX_NESTING) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A version's value as diff reads it; an encrypted-json version is opened first. */
async function contentOf(version: FetchedSecret, secretId: string): Promise<Content> {
  const sealed = version.binary instanceof SealedSecretValue ? version.binary : undefined;
  const text = sealed === undefined ? version.text : await sealed.open(version, secretId);
  if (text !== undefined) {
    const length = Buffer.byteLength(text, 'utf8');
    const object = jsonObject(text);
    return object === undefined ? { format: 'string', text, length } : { format: 'json', object, length };
  }
  if (version.binary !== undefined) {
    return { format: 'binary', bytes: version.binary, length: version.binary.byteLength };
  }
  throw new SecretDecodeError(
    `Secret ${JSON.stringify(secretId)} version ${version.versionId} returned no value.`,
    { secretId },
  );
}

function pathOf(prefix: string, key: string): string {
  const escaped = key.replace(/[\\.]/g, (ch) => `\\${ch}`);
  return prefix === '' ? escaped : `${prefix}.${escaped}`;
}

/** Key-by-key comparison of two objects, down to `depth` levels; leaves compared by digest. */
function compareObjects(
  from: Record<string, unknown>,
  to: Record<string, unknown>,
  depth: number,
): KeyChanges {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  let unchanged = 0;
  const walk = (a: Record<string, unknown>, b: Record<string, unknown>, prefix: string, level: number) => {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const path = pathOf(prefix, key);
      if (!Object.hasOwn(a, key)) added.push(path);
      else if (!Object.hasOwn(b, key)) removed.push(path);
      else {
        const left = a[key];
        const right = b[key];
        if (isObject(left) && isObject(right) && level < depth) walk(left, right, path, level + 1);
        else if (sameValue(canonicalJson(left), canonicalJson(right))) unchanged++;
        else changed.push(path);
      }
    }
  };
  walk(from, to, '', 1);
  return { added, removed, changed, unchanged };
}

function sideOf(version: SecretVersion, content: Content): DiffSide {
  return {
    versionId: version.versionId,
    stages: version.stages,
    createdAt: version.createdAt,
    format: content.format,
    length: content.length,
  };
}

/** The version `ref` names: a VersionId of the secret first, else the version holding it as a label. */
function resolve(
  versions: readonly SecretVersion[],
  ref: string,
  secretId: string,
  field: string,
): SecretVersion {
  const found =
    versions.find((version) => version.versionId === ref) ??
    versions.find((version) => version.stages.includes(ref));
  if (found === undefined) {
    throw new SecretNotFoundError(
      `Secret ${JSON.stringify(secretId)} has no version or staging label ${show(ref)} (${field}): ` +
        'see versions({ includeDeprecated: true }).',
      { secretId },
    );
  }
  return found;
}

function checkDiffOptions(options: unknown): number {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(
      'options',
      `diff options must be an object such as { depth: 8 }, got ${show(options)}.`,
    );
  }
  for (const key of Object.keys(options)) {
    if (key !== 'principal' && key !== 'depth') {
      throw new ValidationError(key, `${show(key)} is not an option of diff: it takes { depth, principal }.`);
    }
  }
  const { depth } = options as DiffOptions;
  return depth === undefined ? DEFAULT_DEPTH : validateInteger(depth, 'depth', 1, 32);
}

/**
 * `diff`: what changed between two versions of a secret, never a value. Each version is
 * named by a VersionId or a staging label (`AWSPREVIOUS`, `AWSCURRENT`, a label of your
 * own): the secret's versions are listed, and a VersionId of the secret is taken first,
 * else the version holding that label. Both values are read (it is a read, as the access
 * policy sees it), compared by SHA-256 digest in constant time, and dropped. The audit event
 * is one `secret_access` of action `diff`, naming both versions (`version_id` is the `to`
 * version; `details` has `from_version_id` and `to_version_id`).
 */
export const diff: Operation<
  [id: string, fromVersion: string, toVersion: string, options: DiffOptions],
  DiffRequest,
  VersionDiff
> = {
  name: 'diff',
  kind: 'read',
  validate: (id, fromVersion, toVersion, options) => ({
    secretId: validateSecretId(id),
    from: validateVersionStage(fromVersion, 'fromVersion'),
    to: validateVersionStage(toVersion, 'toVersion'),
    depth: checkDiffOptions(options),
  }),
  secretId: (request) => request.secretId,
  call: async (request, context, invocation) => {
    const { secretId } = request;
    const listing = await fetchVersions(context, secretId, true);
    const fromVersion = resolve(listing.versions, request.from, secretId, 'fromVersion');
    const toVersion = resolve(listing.versions, request.to, secretId, 'toVersion');
    invocation.versionId = toVersion.versionId;
    const read = (versionId: string) => fetchVersion({ id: secretId, selector: { versionId } }, context);
    const fromRead = await read(fromVersion.versionId);
    const toRead = toVersion.versionId === fromVersion.versionId ? fromRead : await read(toVersion.versionId);
    const arn = listing.arn ?? fromRead.arn;
    const name = listing.name ?? fromRead.name;
    const before = await contentOf(fromRead, secretId);
    const after = await contentOf(toRead, secretId);
    const from = sideOf(fromVersion, before);
    const to = sideOf(toVersion, after);
    if (before.format === 'json' && after.format === 'json') {
      const keys = compareObjects(before.object, after.object, request.depth);
      const changed = keys.added.length + keys.removed.length + keys.changed.length > 0;
      return { arn, name, from, to, changed, format: 'json', keys };
    }
    if (before.format === 'string' && after.format === 'string') {
      return { arn, name, from, to, format: 'string', changed: !sameValue(before.text, after.text) };
    }
    if (before.format === 'binary' && after.format === 'binary') {
      return { arn, name, from, to, format: 'binary', changed: !sameValue(before.bytes, after.bytes) };
    }
    return { arn, name, from, to, format: 'mixed', changed: true };
  },
  audit: {
    action: 'diff',
    describe: (_request, result) => ({
      details: { fromVersionId: result.from.versionId, toVersionId: result.to.versionId },
    }),
  },
};
