import { createHmac } from 'node:crypto';
import { ValidationError } from '../errors';
import type { AuditEntry } from './audit-event';

/** The fields that identify a person, which pseudonymisation replaces. */
export type PseudonymisedField = 'user_id' | 'user_email' | 'ip_address';

const FIELDS: readonly PseudonymisedField[] = ['user_id', 'user_email', 'ip_address'];

/** How a pseudonym starts, so a reader never mistakes one for an id, an address or an IP. */
const PREFIX = 'hmac:';

export interface PseudonymiseOptions {
  /**
   * The HMAC-SHA256 key, at least 32 bytes. The same value under the same key always gives
   * the same pseudonym (so reports still count distinct users), and without the key nobody
   * can tell whose it is or test a guess. Rotating it starts new pseudonyms.
   */
  readonly key: Uint8Array;
}

function checkKey(key: unknown): Buffer {
  if (!(key instanceof Uint8Array) || key.length < 32) {
    throw new ValidationError(
      'pseudonymise.key',
      'pseudonymise.key must be at least 32 bytes (a Uint8Array), e.g. randomBytes(32) kept in Secrets Manager.',
    );
  }
  return Buffer.from(key);
}

/**
 * The pseudonym of one field's value: `hmac:` and the first 128 bits of
 * HMAC-SHA256(key, field NUL value), hex. The field name is part of the input, so an id and
 * an address that happen to be equal get different pseudonyms.
 * @example
 * // Find a user's events in a pseudonymised trail:
 * const id = pseudonym(key, 'user_id', 'ana');
 * const hers = events.filter((event) => event.user_id === id);
 */
export function pseudonym(key: Uint8Array, field: PseudonymisedField, value: string): string {
  return pseudonymUnder(checkKey(key), field, value);
}

function pseudonymUnder(key: Buffer, field: PseudonymisedField, value: string): string {
  return PREFIX + createHmac('sha256', key).update(`${field}\0${value}`, 'utf8').digest('hex').slice(0, 32);
}

/**
 * A function that pseudonymises `user_id`, `user_email` and `ip_address` of an entry (null
 * stays null), for sinks to apply before an event is chained and written.
 * @example
 * const hide = pseudonymiser({ key });
 * hide(entry).user_email; // 'hmac:3f0c…'
 */
export function pseudonymiser(options: PseudonymiseOptions): (entry: AuditEntry) => AuditEntry {
  const key = checkKey(options.key);
  return (entry) => {
    const changed: Partial<Record<PseudonymisedField, string>> = {};
    for (const field of FIELDS) {
      const value = entry[field];
      if (value !== null) changed[field] = pseudonymUnder(key, field, value);
    }
    return { ...entry, ...changed };
  };
}
