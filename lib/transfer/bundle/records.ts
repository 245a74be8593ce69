import { inspect } from 'node:util';
import { ValidationError, show } from '../../errors';
import { BundleAuthenticationError } from './bundle-error';
import { BUNDLE_FORMAT_VERSION, MAX_RECORD_BYTES } from './format';

/** A JSON value, as a manifest holds them. */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A JSON object: an entry's manifest, a header's details. */
export type JsonObject = { readonly [key: string]: JsonValue };

/** A value an entry carries: text or bytes. */
export type BundleValue = string | Uint8Array;

/**
 * One record of a bundle: a manifest (JSON, what the entry is: name, kind, tags, VersionId,
 * checksum...; never a value) and, optionally, a value. The container does not interpret
 * the manifest; export/import and backup/restore each define theirs. Entries a reader yields
 * show their value to neither `util.inspect` nor `JSON.stringify`.
 */
export interface BundleEntry {
  readonly manifest: JsonObject;
  /** @default - none: an entry of metadata only */
  readonly value?: BundleValue;
}

/** What the writer is told about a bundle's content. */
export interface BundleHeader {
  /**
   * What the bundle holds, such as `keystage-export` or `keystage-backup`: a reader expects
   * it, so a backup is never imported as an export by mistake. 1 to 64 characters of
   * `a-z 0-9 - . :`.
   */
  readonly content: string;
  /** Anything else worth knowing before reading the entries (never a value). @default {} */
  readonly details?: JsonObject;
}

/** The header a reader sees: the writer's, with the bundle's id and creation time. */
export interface BundleInfo {
  readonly content: string;
  readonly details: JsonObject;
  /** A random UUID per bundle. */
  readonly bundleId: string;
  /** When the bundle was written (ISO 8601). */
  readonly createdAt: string;
  readonly formatVersion: typeof BUNDLE_FORMAT_VERSION;
  readonly protection: 'kms' | 'passphrase';
}

const CONTENT = /^[a-z0-9][a-z0-9.:-]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX_DIGEST = /^[0-9a-f]{64}$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** Checks a header before any I/O. */
export function checkHeader(value: unknown, field = 'header'): Required<BundleHeader> {
  if (!isPlainObject(value)) throw new ValidationError(field, `${field} must be { content, details? }.`);
  const { content, details } = value as { content?: unknown; details?: unknown };
  if (typeof content !== 'string' || !CONTENT.test(content)) {
    throw new ValidationError(
      `${field}.content`,
      `${field}.content must be 1 to 64 characters of a-z 0-9 - . : (such as keystage-export), got ${show(content)}.`,
    );
  }
  if (details !== undefined && !isPlainObject(details)) {
    throw new ValidationError(`${field}.details`, `${field}.details must be a plain object of JSON values.`);
  }
  return { content, details: (details ?? {}) as JsonObject };
}

/** The header line (no newline). */
export function headerLine(header: Required<BundleHeader>, bundleId: string, createdAt: string): Buffer {
  return Buffer.from(
    JSON.stringify({ type: 'header', bundleId, createdAt, content: header.content, details: header.details }),
    'utf8',
  );
}

/** Entry `n` (from 1) as its line (no newline); a malformed or oversized entry is a ValidationError. */
export function entryLine(entry: unknown, n: number): Buffer {
  const field = `entries[${n - 1}]`;
  if (!isPlainObject(entry) && !(entry instanceof BundledEntry)) {
    throw new ValidationError(field, `${field} must be { manifest, value? }.`);
  }
  const { manifest, value } = entry as { manifest?: unknown; value?: unknown };
  if (!isPlainObject(manifest)) {
    throw new ValidationError(
      `${field}.manifest`,
      `${field}.manifest must be a plain object of JSON values.`,
    );
  }
  let encoded: { utf8: string } | { base64: string } | undefined;
  if (typeof value === 'string') encoded = { utf8: value };
  else if (value instanceof Uint8Array) encoded = { base64: Buffer.from(value).toString('base64') };
  else if (value !== undefined) {
    throw new ValidationError(`${field}.value`, `${field}.value must be a string or a Uint8Array.`);
  }
  const line = Buffer.from(
    JSON.stringify(
      encoded === undefined ? { type: 'entry', n, manifest } : { type: 'entry', n, manifest, value: encoded },
    ),
    'utf8',
  );
  if (line.length > MAX_RECORD_BYTES) {
    throw new ValidationError(
      field,
      `${field} is ${line.length} bytes as a bundle record; a record holds at most ${MAX_RECORD_BYTES}.`,
    );
  }
  return line;
}

/** The trailer line (no newline). */
export function trailerLine(entries: number, digest: string): Buffer {
  return Buffer.from(JSON.stringify({ type: 'trailer', entries, digest }), 'utf8');
}

/**
 * An entry as a reader yields it. Its value is there to use, and hidden from `util.inspect`
 * and `JSON.stringify`, so logging an entry never logs a secret.
 */
export class BundledEntry implements BundleEntry {
  readonly manifest: JsonObject;
  readonly value: BundleValue | undefined;

  constructor(manifest: JsonObject, value: BundleValue | undefined) {
    this.manifest = manifest;
    this.value = value;
  }

  [inspect.custom](): string {
    return `BundledEntry { manifest: ${inspect(this.manifest, { depth: 4 })}, value: ${describeValue(this.value)} }`;
  }

  toJSON(): { manifest: JsonObject; value?: string } {
    return this.value === undefined
      ? { manifest: this.manifest }
      : { manifest: this.manifest, value: describeValue(this.value) };
  }
}

function describeValue(value: BundleValue | undefined): string {
  if (value === undefined) return 'none';
  return typeof value === 'string' ? `<string, ${value.length} characters>` : `<${value.byteLength} bytes>`;
}

/** A parsed record line. */
export type ParsedRecord =
  | { readonly type: 'header'; readonly info: Omit<BundleInfo, 'protection' | 'formatVersion'> }
  | { readonly type: 'entry'; readonly n: number; readonly entry: BundledEntry }
  | { readonly type: 'trailer'; readonly entries: number; readonly digest: string };

function altered(detail: string): BundleAuthenticationError {
  return new BundleAuthenticationError('altered', `The bundle fails authentication: ${detail}.`);
}

/**
 * A record from its line. Anything not in the form the writer writes is `altered`: an
 * authenticated message holds only what a writer wrote, so a malformed record means someone
 * holding the key wrote it. The messages never quote the line.
 */
export function parseRecord(line: Buffer): ParsedRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.toString('utf8'));
  } catch {
    throw altered('a record is not JSON');
  }
  if (!isPlainObject(parsed)) throw altered('a record is not a JSON object');
  switch (parsed.type) {
    case 'header': {
      const { bundleId, createdAt, content, details } = parsed;
      if (
        typeof bundleId !== 'string' ||
        !UUID.test(bundleId) ||
        typeof createdAt !== 'string' ||
        Number.isNaN(Date.parse(createdAt)) ||
        typeof content !== 'string' ||
        !CONTENT.test(content) ||
        !isPlainObject(details)
      ) {
        throw altered('the header record is malformed');
      }
      return { type: 'header', info: { bundleId, createdAt, content, details: details as JsonObject } };
    }
    case 'entry': {
      const { n, manifest, value } = parsed;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || !isPlainObject(manifest)) {
        throw altered('an entry record is malformed');
      }
      return { type: 'entry', n, entry: new BundledEntry(manifest as JsonObject, decodeValue(value)) };
    }
    case 'trailer': {
      const { entries, digest } = parsed;
      if (
        typeof entries !== 'number' ||
        !Number.isInteger(entries) ||
        entries < 0 ||
        typeof digest !== 'string' ||
        !HEX_DIGEST.test(digest)
      ) {
        throw altered('the trailer record is malformed');
      }
      return { type: 'trailer', entries, digest };
    }
    default:
      throw altered('a record has an unknown type');
  }
}

function decodeValue(value: unknown): BundleValue | undefined {
  if (value === undefined) return undefined;
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && typeof value.utf8 === 'string') return value.utf8;
    if (keys.length === 1 && typeof value.base64 === 'string') {
      return new Uint8Array(Buffer.from(value.base64, 'base64'));
    }
  }
  throw altered('an entry value is malformed');
}
