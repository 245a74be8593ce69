import { ValidationError, show } from '../errors';
import { SECRET_ARN_PATTERN, isArn } from './secret-id';

/**
 * Argument checks that run before any API call, so a bad call writes nothing.
 * Each failure names the field, says what was received (never a secret) and what is allowed.
 */

/** Secrets Manager's limit on a secret value, in bytes. */
export const MAX_SECRET_VALUE_BYTES = 65_536;
/** Secrets Manager's limit on a secret name. */
export const MAX_SECRET_NAME_LENGTH = 512;
/** Secrets Manager's limit on tags per secret. */
export const MAX_TAGS = 50;
/** The largest delay a Node timer honours; longer ones fire after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]+$/;
const ID_PATTERN = /^[A-Za-z0-9/_+=.@:-]+$/;
const TAG_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

function requireString(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string')
    throw new ValidationError(field, `${field} must be a string, got ${show(value)}.`);
}

/** A secret name: 1..512 characters of `A-Z a-z 0-9 / _ + = . @ -`. */
export function validateSecretName(value: unknown, field = 'name'): string {
  requireString(value, field);
  if (value.length === 0 || value.length > MAX_SECRET_NAME_LENGTH || !NAME_PATTERN.test(value)) {
    throw new ValidationError(
      field,
      `${field} ${show(value)} is not a valid secret name: use 1 to ${MAX_SECRET_NAME_LENGTH} characters ` +
        'from A-Z a-z 0-9 / _ + = . @ -',
    );
  }
  return value;
}

/** A secret id: a name, a full ARN or a partial ARN (no 6-character suffix). */
export function validateSecretId(value: unknown, field = 'id'): string {
  requireString(value, field);
  if (value.length === 0) {
    throw new ValidationError(field, `${field} is empty: pass the secret's name or ARN.`);
  }
  if (value.startsWith('ssm:')) {
    throw new ValidationError(
      field,
      `${field} ${show(value)} names an SSM parameter, which get, getJson, getBinary and getByPath read: ` +
        "this call takes a Secrets Manager secret's name or ARN.",
    );
  }
  if (value.length > 2048 || !ID_PATTERN.test(value)) {
    throw new ValidationError(
      field,
      `${field} ${show(value)} is not a secret name or ARN: use up to 2048 characters from ` +
        'A-Z a-z 0-9 / _ + = . @ - :',
    );
  }
  if (isArn(value) && !SECRET_ARN_PATTERN.test(value)) {
    throw new ValidationError(
      field,
      `${field} ${show(value)} is not a Secrets Manager ARN: expected ` +
        'arn:<partition>:secretsmanager:<region>:<12-digit account>:secret:<name>',
    );
  }
  if (!isArn(value) && value.includes(':')) {
    throw new ValidationError(field, `${field} ${show(value)} contains ':' but is not an ARN.`);
  }
  return value;
}

/** A list of secret ids, each checked; duplicates removed, order kept. */
export function validateSecretIds(value: unknown, field = 'ids'): string[] {
  if (!Array.isArray(value)) throw new ValidationError(field, `${field} must be an array of secret ids.`);
  const ids = value.map((id, i) => validateSecretId(id, `${field}[${i}]`));
  return [...new Set(ids)];
}

/** Byte length of a secret value as Secrets Manager counts it. */
export function valueByteLength(value: string | Uint8Array): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.byteLength;
}

/** A secret value: a non-empty string or byte array of at most 65,536 bytes. */
export function validateSecretValue(value: unknown, field = 'value'): string | Uint8Array {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new ValidationError(field, `${field} must be a string or a Uint8Array, got ${show(typeof value)}.`);
  }
  const bytes = valueByteLength(value);
  if (bytes === 0) throw new ValidationError(field, `${field} is empty: a secret needs a value.`);
  if (bytes > MAX_SECRET_VALUE_BYTES) {
    throw new ValidationError(
      field,
      `${field} is ${bytes} bytes; Secrets Manager stores at most ${MAX_SECRET_VALUE_BYTES} bytes. ` +
        'Store a larger payload elsewhere (e.g. S3 with envelope encryption) and keep its key here.',
    );
  }
  return value;
}

/** A JSON secret value: serialisable to JSON text within the size limit. */
export function serialiseJsonValue(value: unknown, field = 'value'): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    throw new ValidationError(
      field,
      `${field} is not JSON-serialisable (a cycle or a BigInt): pass plain data.`,
    );
  }
  if (text === undefined || typeof value !== 'object' || value === null) {
    throw new ValidationError(
      field,
      `${field} must be a JSON object or array for a 'json' secret, got ${show(value)}.`,
    );
  }
  validateSecretValue(text, field);
  return text;
}

/** An integer within [min, max]. */
export function validateInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(
      field,
      `${field} must be an integer from ${min} to ${max}, got ${show(value)}.`,
    );
  }
  return value;
}

/** An optional flag: true, false, or absent (then `fallback`). */
export function validateBoolean(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new ValidationError(field, `${field} must be true or false, got ${show(value)}.`);
  return value;
}

/** A duration in milliseconds that a Node timer can honour. */
export function validateDurationMs(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new ValidationError(
      field,
      `${field} must be a finite number of milliseconds above 0 and at most ${MAX_TIMER_MS}, got ${show(value)}.`,
    );
  }
  return value;
}

/** A ClientRequestToken / VersionId: 32..64 printable characters. */
export function validateVersionToken(value: unknown, field: string): string {
  requireString(value, field);
  if (value.length < 32 || value.length > 64 || !TOKEN_PATTERN.test(value)) {
    throw new ValidationError(
      field,
      `${field} ${show(value)} must be 32 to 64 printable characters (a UUID from crypto.randomUUID() fits).`,
    );
  }
  return value;
}

/** A version staging label: 1..256 characters. */
export function validateVersionStage(value: unknown, field = 'versionStage'): string {
  requireString(value, field);
  if (value.length === 0 || value.length > 256) {
    throw new ValidationError(
      field,
      `${field} must be 1 to 256 characters, e.g. 'AWSCURRENT', got ${show(value)}.`,
    );
  }
  return value;
}

/** Free text up to `max` characters (descriptions, reasons). */
export function validateText(value: unknown, field: string, max: number, { required = false } = {}): string {
  requireString(value, field);
  if ((required && value.trim().length === 0) || value.length > max) {
    throw new ValidationError(
      field,
      `${field} must be ${required ? '1' : '0'} to ${max} characters, got ${value.length}.`,
    );
  }
  return value;
}

/** An AWS region name such as `eu-west-1`. */
export function validateRegion(value: unknown, field = 'region'): string {
  requireString(value, field);
  if (!REGION_PATTERN.test(value)) {
    throw new ValidationError(
      field,
      `${field} ${show(value)} is not an AWS region name such as 'eu-west-1'.`,
    );
  }
  return value;
}

/** A KMS key id, ARN, alias name or alias ARN. */
export function validateKmsKeyId(value: unknown, field = 'kmsKeyId'): string {
  requireString(value, field);
  if (value.length === 0 || value.length > 2048 || /\s/.test(value)) {
    throw new ValidationError(
      field,
      `${field} ${show(value)} must be a KMS key id, key ARN, alias name ('alias/...') or alias ARN.`,
    );
  }
  return value;
}

function validateTagKey(key: string, field: string): void {
  if (key.length === 0 || key.length > 128 || !TAG_PATTERN.test(key)) {
    throw new ValidationError(
      field,
      `${field} key ${show(key)} must be 1 to 128 letters, digits, spaces or _ . : / = + - @.`,
    );
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throw new ValidationError(field, `${field} key ${show(key)} uses the reserved 'aws:' prefix.`);
  }
}

/** Tag keys and values as Secrets Manager allows them; at most 50. */
export function validateTags(value: unknown, field = 'tags'): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, `${field} must be an object of tag key to tag value.`);
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_TAGS) {
    throw new ValidationError(
      field,
      `${field} has ${entries.length} tags; a secret carries at most ${MAX_TAGS}.`,
    );
  }
  for (const [key, tagValue] of entries) {
    validateTagKey(key, field);
    if (typeof tagValue !== 'string' || tagValue.length > 256 || !TAG_PATTERN.test(tagValue)) {
      throw new ValidationError(
        field,
        `${field} value for ${show(key)} must be a string of 0 to 256 letters, digits, spaces or _ . : / = + - @.`,
      );
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Tag keys to remove. */
export function validateTagKeys(value: unknown, field = 'keys'): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ValidationError(field, `${field} must be a non-empty array of tag keys.`);
  }
  value.forEach((key, i) => {
    requireString(key, `${field}[${i}]`);
    validateTagKey(key, `${field}[${i}]`);
  });
  return value as string[];
}

/** Replaces characters a tag value cannot hold, so free text (a reason) can be recorded as a tag. */
export function toTagValue(text: string): string {
  return [...text]
    .map((ch) => (TAG_PATTERN.test(ch) ? ch : '_'))
    .join('')
    .slice(0, 256);
}
