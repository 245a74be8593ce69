/**
 * The keystage bundle format, version 1: what `writeBundle` writes and `openBundle` reads.
 * Export/import and backup/restore both carry their secrets in it.
 *
 * ```
 * preamble  one cleartext line of JSON, at most 1 KiB, ending in "\n":
 *           {"format":"keystage-bundle","version":1,"protection":"kms","keyId":"arn:aws:kms:..."}
 *           {"format":"keystage-bundle","version":1,"protection":"passphrase",
 *            "kdf":{"name":"scrypt","n":131072,"r":8,"p":1,"salt":"<32 bytes, base64url>",
 *                   "check":"<16 bytes, base64url>"}}
 * message   one AWS Encryption SDK message (framed, 64 KiB frames, the committing signed suite
 *           ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384) whose plaintext is
 *           NDJSON, one line per record:
 *             {"type":"header","bundleId":"<uuid>","createdAt":"<ISO 8601>","content":"...","details":{...}}
 *             {"type":"entry","n":1,"manifest":{...},"value":{"utf8":"..."}}     (or {"base64":"..."}, or no value)
 *             ...
 *             {"type":"trailer","entries":<count>,"digest":"<hex SHA-256 chain>"}
 * ```
 *
 * Why each part is there:
 * - The Encryption SDK authenticates every frame with its sequence number and marks the final
 *   frame, and signs the whole message: a flipped byte, a frame removed, reordered or
 *   duplicated, or a message cut short fails to decrypt. Plaintext is released a frame at a
 *   time and only after that frame's tag checks, so reading needs memory for one frame and
 *   one record, never the bundle.
 * - The preamble says how to get the key before anything is decrypted. It is bound to the
 *   message: the encryption context carries `keystage:bundle-preamble`, the SHA-256 of the
 *   preamble line, and `openBundle` compares it, so an edited preamble fails too (for a
 *   passphrase, an edited salt or cost also derives the wrong key). For KMS the context is
 *   also KMS's encryption context for the data key.
 * - Passphrase: scrypt (N = 2^17, r = 8, p = 1; memory-hard, 128 MiB) over the NFC-normalised
 *   passphrase and a random 32-byte salt gives a master key; HKDF-SHA256 splits it into the
 *   AES-256 wrapping key of a raw AES keyring (AES-256-GCM key wrap of the data key) and a
 *   16-byte check value kept in the preamble. The check tells a wrong passphrase from a
 *   damaged bundle; it helps a guesser no more than the wrapped data key already does.
 * - KMS: a KMS keyring under the key ARN in the preamble. A key other than the caller's is
 *   refused before any KMS call; signing means a principal allowed only kms:Decrypt cannot
 *   forge a bundle (the signing key is bound to the data key through KMS's context).
 * - Inside, each entry line carries its position `n`, and a running SHA-256 chain
 *   (d0 = SHA-256(domain || header line), di = SHA-256(d(i-1) || entry line i)) ends in the
 *   trailer with the count. A reader notices a removed, duplicated or reordered entry at the
 *   next entry and an added, removed or altered one at the trailer, even in a plaintext
 *   re-encrypted by someone holding the key but not rewriting the chain, and a writer that
 *   stopped part-way (no trailer) never yields a bundle that verifies.
 */
import { createHash } from 'node:crypto';

/** The first field of every preamble. */
export const BUNDLE_FORMAT = 'keystage-bundle';
/** The format version this module writes and reads. */
export const BUNDLE_FORMAT_VERSION = 1;
/** The longest preamble line a reader accepts, newline included. */
export const MAX_PREAMBLE_BYTES = 1024;
/**
 * The longest record line (one entry: manifest and value, base64 for bytes). A Secrets
 * Manager value is at most 64 KiB and a resource policy 20 KiB, so one entry fits many times
 * over; the bound is what keeps a reader's memory at one record.
 */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** Plaintext bytes per Encryption SDK frame. */
export const FRAME_LENGTH = 64 * 1024;
/** The encryption context key that binds the preamble to the message. */
export const PREAMBLE_CONTEXT_KEY = 'keystage:bundle-preamble';
/** scrypt cost parameters written: N = 2^17 (128 MiB with r = 8), the floor. */
export const SCRYPT_COST = Object.freeze({ n: 2 ** 17, r: 8, p: 1 });
/**
 * The scrypt costs a reader accepts: N from 2^17 to 2^18, r = 8, p from 1 to 4. A preamble
 * may not make a reader spend less than the floor, nor more than 256 MiB and a few seconds.
 */
export const SCRYPT_LIMITS = Object.freeze({ minN: 2 ** 17, maxN: 2 ** 18, r: 8, maxP: 4 });
/** Salt bytes for scrypt. */
export const SALT_BYTES = 32;
/** Bytes of the passphrase check value. */
export const CHECK_BYTES = 16;

const CHAIN_DOMAIN = Buffer.from('keystage-bundle v1 entries\0', 'utf8');

/** The preamble of a KMS-protected bundle. */
export interface KmsPreamble {
  readonly format: typeof BUNDLE_FORMAT;
  readonly version: typeof BUNDLE_FORMAT_VERSION;
  readonly protection: 'kms';
  readonly keyId: string;
}

/** scrypt's parameters as a passphrase preamble records them. */
export interface ScryptParameters {
  readonly name: 'scrypt';
  readonly n: number;
  readonly r: number;
  readonly p: number;
  /** base64url */
  readonly salt: string;
  /** base64url */
  readonly check: string;
}

/** The preamble of a passphrase-protected bundle. */
export interface PassphrasePreamble {
  readonly format: typeof BUNDLE_FORMAT;
  readonly version: typeof BUNDLE_FORMAT_VERSION;
  readonly protection: 'passphrase';
  readonly kdf: ScryptParameters;
}

export type Preamble = KmsPreamble | PassphrasePreamble;

/** The preamble as its line: fields in a fixed order, so that its hash is reproducible. */
export function preambleLine(preamble: Preamble): Buffer {
  const body =
    preamble.protection === 'kms'
      ? { format: preamble.format, version: preamble.version, protection: 'kms', keyId: preamble.keyId }
      : {
          format: preamble.format,
          version: preamble.version,
          protection: 'passphrase',
          kdf: {
            name: preamble.kdf.name,
            n: preamble.kdf.n,
            r: preamble.kdf.r,
            p: preamble.kdf.p,
            salt: preamble.kdf.salt,
            check: preamble.kdf.check,
          },
        };
  return Buffer.from(`${JSON.stringify(body)}\n`, 'utf8');
}

/** What the encryption context carries for a preamble line (newline included). */
export function preambleDigest(line: Uint8Array): string {
  return createHash('sha256').update(line).digest('base64url');
}

/** The chain's starting point, from the exact bytes of the header line (no newline). */
export function chainStart(headerLine: Uint8Array): Buffer {
  return createHash('sha256').update(CHAIN_DOMAIN).update(headerLine).digest();
}

/** The chain after one more entry line (exact bytes, no newline). */
export function chainNext(previous: Uint8Array, entryLine: Uint8Array): Buffer {
  return createHash('sha256').update(previous).update(entryLine).digest();
}
