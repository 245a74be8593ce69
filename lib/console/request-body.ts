import type { IncomingMessage } from 'node:http';
import { KeystageError, ValidationError, show } from '../errors';

/** The largest body a write takes: a secret value is at most 64 KiB, form-encoded up to 3×. */
export const MAX_BODY_BYTES = 200_000;

/** A write's fields, from a form (`application/x-www-form-urlencoded`) or a JSON object of strings. */
export type Fields = ReadonlyMap<string, string>;

/** Reads and parses a POST body; a body too large, of another type or malformed is a ValidationError. */
export async function readFields(request: IncomingMessage): Promise<Fields> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    // Past the limit the rest is read and dropped, so the refusal reaches the browser
    // instead of a reset connection; the server's request timeout bounds how long.
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_BODY_BYTES) {
    throw new ValidationError(
      'body',
      `The request body is over ${MAX_BODY_BYTES} bytes: send a smaller value.`,
    );
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (type === 'application/x-www-form-urlencoded' || (type === '' && text === '')) {
    return new Map(new URLSearchParams(text));
  }
  if (type === 'application/json') return jsonFields(text);
  throw new ValidationError(
    'content-type',
    `Content-Type ${show(type)} is not accepted: send application/x-www-form-urlencoded or application/json.`,
  );
}

function jsonFields(text: string): Fields {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Never the body in the message: it may hold a value.
    throw new ValidationError('body', 'The request body is not valid JSON: send an object of strings.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError('body', 'The request body must be a JSON object of strings.');
  }
  const fields = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') {
      throw new ValidationError(key, `Field ${show(key)} must be a string.`);
    }
    fields.set(key, value);
  }
  return fields;
}

/** A required field, non-empty. */
export function required(fields: Fields | URLSearchParams, name: string): string {
  const value = fields.get(name);
  if (value === undefined || value === null || value === '') {
    throw new ValidationError(name, `The field ${show(name)} is required.`);
  }
  return value;
}

/** An optional field; empty counts as absent. */
export function optional(fields: Fields | URLSearchParams, name: string): string | undefined {
  const value = fields.get(name);
  return value === undefined || value === null || value === '' ? undefined : value;
}

/** The HTTP status of a failed call, by its error code; anything unknown is the service's fault (502). */
export function statusOf(error: unknown): number {
  if (!(error instanceof KeystageError)) return 500;
  switch (error.code) {
    case 'VALIDATION_ERROR':
    case 'DECODE_ERROR':
      return 400;
    case 'PERMISSION_DENIED':
    case 'SECRET_REVOKED':
      return 403;
    case 'SECRET_NOT_FOUND':
      return 404;
    case 'CONFLICT':
    case 'ROTATION_IN_PROGRESS':
    case 'SECRET_SCHEDULED_FOR_DELETION':
    case 'SECRET_EXPIRED':
      return 409;
    case 'THROTTLED':
      return 429;
    default:
      return 502;
  }
}
