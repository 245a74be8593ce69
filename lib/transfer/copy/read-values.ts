import { createHash, timingSafeEqual } from 'node:crypto';
import type { CallOptions, SecretsClient } from '../../client';

/** A value as read, with the version it is. Kept inside the copy job, never returned. */
export interface ReadValue {
  readonly versionId: string;
  /** Text (JSON text for `encrypted-json`, decrypted) or bytes. */
  readonly value: string | Uint8Array;
}

/** A secret to read: by name (AWSCURRENT), or an `encrypted-json` one at a known version. */
export type ValueRead =
  | { readonly name: string; readonly encrypted: false }
  | { readonly name: string; readonly encrypted: true; readonly versionId: string };

/** BatchGetSecretValue's limit, so each getMany is one call. */
const BATCH = 20;

/**
 * Reads values through `client`, so each read is authorized and audited as a read: plain
 * secrets 20 to a BatchGetSecretValue (getMany), `encrypted-json` ones with getJson at the
 * version given (decrypted with the client's envelope key). The first failure is thrown: a
 * plan is made from every value or not at all.
 */
export async function readValues(
  client: SecretsClient,
  reads: readonly ValueRead[],
  call: CallOptions,
): Promise<Map<string, ReadValue>> {
  const values = new Map<string, ReadValue>();
  const plain = reads.filter((read) => !read.encrypted).map((read) => read.name);
  for (let start = 0; start < plain.length; start += BATCH) {
    const { values: found, errors } = await client.getMany(plain.slice(start, start + BATCH), call);
    const failure = errors.values().next();
    if (failure.done !== true) throw failure.value;
    for (const [name, entry] of found) {
      values.set(name, {
        versionId: entry.versionId,
        value: entry.value ?? entry.binary ?? new Uint8Array(),
      });
    }
  }
  for (const read of reads) {
    if (!read.encrypted) continue;
    const json = await client.getJson(read.name, { ...call, versionId: read.versionId });
    values.set(read.name, { versionId: read.versionId, value: JSON.stringify(json) });
  }
  return values;
}

function digest(value: string | Uint8Array): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Whether two values are the same secret: both text or both bytes, equal bytes. Compared
 * as SHA-256 digests in constant time, so neither the time taken nor an early exit says
 * where two values differ.
 */
export function sameValue(a: string | Uint8Array, b: string | Uint8Array): boolean {
  if (typeof a !== typeof b) return false;
  return timingSafeEqual(digest(a), digest(b));
}
