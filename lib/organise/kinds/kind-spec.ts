import type { SecretKind } from '../../core';
import { ValidationError } from '../../errors';

/**
 * What each secret kind holds, as data: the shape its value must have, checked when a value
 * is written (`create` with a value, `put`), and how often it should rotate. Messages of a
 * shape check name the field and the rule, never the value or any part of it.
 */

/** A value as Secrets Manager stores it: SecretString text or SecretBinary bytes. */
export type StoredValue = string | Uint8Array;

/** How often a kind of secret should rotate, and why. */
export interface RotationRecommendation {
  /** The longest time between rotations, in days. */
  readonly days: number;
  readonly reason: string;
}

/** One kind of secret: its shape and its rotation recommendation. */
export interface SecretKindSpec {
  readonly kind: SecretKind;
  /** The shape in a few words, for documentation and messages. */
  readonly shape: string;
  /**
   * Throws a ValidationError whose `field` is `field` or a key under it (`value.password`)
   * when the value does not have the kind's shape.
   */
  check(value: StoredValue, field: string): void;
  readonly rotation: RotationRecommendation;
}

/** The value as text, or a ValidationError saying the kind is text. */
export function textOf(value: StoredValue, kind: SecretKind, field: string): string {
  if (typeof value === 'string') return value;
  throw new ValidationError(field, `A '${kind}' secret is text (SecretString), not bytes.`);
}

/**
 * The value parsed as JSON. JSON.parse's own message is never kept: it quotes the text
 * around the error, which is the secret.
 */
export function parseJson(value: StoredValue, kind: SecretKind, field: string, expected: string): unknown {
  const text = textOf(value, kind, field);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError(field, `A '${kind}' secret is ${expected}; ${field} is not JSON.`);
  }
}

/** The value as a JSON object (not an array), or a ValidationError. */
export function jsonObjectOf(
  value: StoredValue,
  kind: SecretKind,
  field: string,
  expected: string,
): Record<string, unknown> {
  const parsed = parseJson(value, kind, field, expected);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError(
      field,
      `A '${kind}' secret is ${expected}; ${field} is JSON but not an object.`,
    );
  }
  return parsed as Record<string, unknown>;
}

/** A required non-empty string member of a JSON object. */
export function requiredText(
  fields: Record<string, unknown>,
  key: string,
  field: string,
  what: string,
): string {
  const value = fields[key];
  if (typeof value !== 'string' || value === '') {
    throw new ValidationError(`${field}.${key}`, `${field}.${key} must be a non-empty string: ${what}.`);
  }
  return value;
}

/** Standard base64 (RFC 4648 §4), padding optional: the decoded bytes, or undefined when it is not. */
export function decodeBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Node's decoder skips what it cannot read; a round trip proves every character counted.
  const canonical = bytes.toString('base64').replace(/=+$/, '');
  return canonical === text.replace(/=+$/, '') ? bytes : undefined;
}
