import { createHmac, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { ValidationError } from '../errors';
import type { AuditDetails, AuditEntry, AuditEvent } from './audit-event';
import type { ChainHead } from './audit-chain';
import { canonicalJson } from './canonical-json';

/** The MAC algorithm of every checkpoint (KMS's name for it). */
export const CHECKPOINT_ALGORITHM = 'HMAC_SHA_256';

/** A signed checkpoint's MAC and what a verifier needs besides the key id. */
export interface CheckpointMac {
  readonly mac: Uint8Array;
  /** Written into the checkpoint's details, e.g. the encrypted data key. @default - nothing */
  readonly details?: AuditDetails;
}

/** Signs checkpoints: an HMAC-SHA256 over the chain head, under a key the sink never shows. */
export interface CheckpointSigner {
  /** Names the key in every checkpoint (a KMS key ARN or alias, or a local id). */
  readonly keyId: string;
  sign(message: Uint8Array): Promise<CheckpointMac>;
}

/** What a verifier is asked about one checkpoint. */
export interface CheckpointToVerify {
  readonly keyId: string;
  /** The bytes that were signed (see {@link checkpointMessage}). */
  readonly message: Uint8Array;
  readonly mac: Uint8Array;
  /** The checkpoint's details (for a data key, the encrypted key). */
  readonly details: AuditDetails;
}

/** Checks checkpoint MACs; implementations compare in constant time (or let KMS compare). */
export interface CheckpointVerifier {
  verify(checkpoint: CheckpointToVerify): boolean | Promise<boolean>;
}

/**
 * The bytes a checkpoint signs: the canonical JSON of the chain head it covers and the key
 * that signs it, with a version tag so the format can change without ambiguity.
 * @example
 * const message = checkpointMessage({ seq: 1000, hash: event1000Hash }, 'alias/audit');
 */
export function checkpointMessage(head: ChainHead, keyId: string): Uint8Array {
  return Buffer.from(
    canonicalJson({
      covers_seq: head.seq,
      format: 'keystage-audit-checkpoint/1',
      head: head.hash,
      key_id: keyId,
    }),
    'utf8',
  );
}

/**
 * The checkpoint event for `head`, signed; `events` is how many events it newly covers.
 * @example
 * const signed = await key.sign(checkpointMessage(head, key.keyId));
 * stream.record(checkpointEntry(new Date().toISOString(), head, key.keyId, signed, 1000), false);
 */
export function checkpointEntry(
  timestamp: string,
  head: ChainHead,
  keyId: string,
  signed: CheckpointMac,
  events: number,
): AuditEntry {
  return {
    timestamp,
    event_type: 'audit_checkpoint',
    user_id: null,
    user_email: null,
    service: null,
    secret_name: null,
    environment: null,
    action: null,
    ip_address: null,
    user_agent: null,
    success: true,
    cache_hit: false,
    version_id: null,
    reason: null,
    request_id: null,
    details: {
      ...signed.details,
      algorithm: CHECKPOINT_ALGORITHM,
      covers_seq: head.seq,
      events,
      head: head.hash,
      key_id: keyId,
      mac: Buffer.from(signed.mac).toString('base64'),
    },
  };
}

/**
 * The facts of a checkpoint event, or undefined when its details are not a checkpoint's.
 * @example
 * const facts = checkpointFacts(event); // { coversSeq, head, keyId, mac } of a checkpoint
 */
export function checkpointFacts(
  event: AuditEvent,
): { coversSeq: number; head: string; keyId: string; mac: Uint8Array } | undefined {
  const details = event.details;
  if (details === null || typeof details !== 'object') return undefined;
  const { covers_seq: coversSeq, head, key_id: keyId, mac, algorithm } = details;
  if (
    algorithm !== CHECKPOINT_ALGORITHM ||
    typeof coversSeq !== 'number' ||
    typeof head !== 'string' ||
    typeof keyId !== 'string' ||
    typeof mac !== 'string'
  ) {
    return undefined;
  }
  return { coversSeq, head, keyId, mac: Buffer.from(mac, 'base64') };
}

/**
 * True when two MACs are equal, in time that does not depend on where they differ.
 * @example
 * const valid = macsEqual(createHmac('sha256', key).update(message).digest(), mac);
 */
export function macsEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Lengths are public (always 32 for HMAC-SHA256); timingSafeEqual needs them equal.
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * An HMAC-SHA256 checkpoint key held in memory: for tests, the local endpoint, or a key
 * your own key management hands you. In AWS prefer `kmsMacCheckpoints` (the key never
 * leaves KMS) or `kmsDataKeyCheckpoints`.
 * @example
 * const key = hmacCheckpoints(randomBytes(32), 'audit-key-2026');
 * const sink = new JsonLinesAuditSink({ file: 'audit.jsonl', checkpoints: { key } });
 * const report = await verifyAuditTrail(events, { verifier: key });
 */
export function hmacCheckpoints(key: Uint8Array, keyId: string): CheckpointSigner & CheckpointVerifier {
  if (!(key instanceof Uint8Array) || key.length < 32) {
    throw new ValidationError('key', 'A checkpoint key must be at least 32 bytes (256 bits) of random data.');
  }
  if (typeof keyId !== 'string' || keyId === '') {
    throw new ValidationError('keyId', 'A checkpoint key needs a non-empty keyId to name it in checkpoints.');
  }
  const secret = Buffer.from(key);
  const mac = (message: Uint8Array): Buffer => createHmac('sha256', secret).update(message).digest();
  return {
    keyId,
    sign: (message) => Promise.resolve({ mac: mac(message) }),
    verify: (checkpoint) => checkpoint.keyId === keyId && macsEqual(mac(checkpoint.message), checkpoint.mac),
    // The key is the secret the whole trail rests on: never shown.
    [inspect.custom]: () => `HmacCheckpointKey { keyId: ${JSON.stringify(keyId)} }`,
    toJSON: () => ({ keyId }),
  } as CheckpointSigner & CheckpointVerifier;
}
