import { createHmac, randomBytes, type Hmac } from 'node:crypto';

/** Bytes of a fingerprint: 64 bits. */
export const FINGERPRINT_BYTES = 8;

/**
 * Short digests of what an import sees, under a key drawn for that import alone: someone who
 * can write bundles still cannot make two different things share a fingerprint, since they
 * never learn the key. HMAC-SHA-256, cut to 64 bits, each part length-prefixed so that parts
 * cannot run into each other.
 */
export class Fingerprints {
  readonly #key = randomBytes(32);

  /** A digest to feed part by part; `fingerprintOf` finishes it. */
  start(): Hmac {
    return createHmac('sha256', this.#key);
  }

  /** The fingerprint of `parts`. */
  of(...parts: readonly string[]): Buffer {
    const digest = this.start();
    for (const part of parts) feed(digest, part);
    return fingerprintOf(digest);
  }
}

/** Adds one part to a digest. */
export function feed(digest: Hmac, part: string): void {
  digest.update(`${part.length}:${part}\0`);
}

/** The first 64 bits of a finished digest. */
export function fingerprintOf(digest: Hmac): Buffer {
  return digest.digest().subarray(0, FINGERPRINT_BYTES);
}

const INITIAL_SLOTS = 1024;

/**
 * A set of fingerprints in one typed array (open addressing, linear probing, at most 3/4
 * full): 11 to 21 bytes a member, where a Set of the names would take a hundred or more.
 * A fingerprint is random under its key, so its low bits serve as the slot.
 */
export class FingerprintSet {
  /** Two 32-bit words a slot; 0,0 is an empty slot (a fingerprint of 0,0 is stored as 0,1). */
  #slots = new Uint32Array(2 * INITIAL_SLOTS);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Adds `fingerprint`; false when it was a member already. */
  add(fingerprint: Buffer): boolean {
    const high = fingerprint.readUInt32BE(0);
    const raw = fingerprint.readUInt32BE(4);
    const low = high === 0 && raw === 0 ? 1 : raw;
    if (!this.#insert(this.#slots, high, low)) return false;
    this.#size++;
    if (this.#size * 4 > (this.#slots.length / 2) * 3) this.#grow();
    return true;
  }

  #insert(slots: Uint32Array, high: number, low: number): boolean {
    const mask = slots.length / 2 - 1;
    for (let slot = low & mask; ; slot = (slot + 1) & mask) {
      const at = slot * 2;
      if (slots[at] === 0 && slots[at + 1] === 0) {
        slots[at] = high;
        slots[at + 1] = low;
        return true;
      }
      if (slots[at] === high && slots[at + 1] === low) return false;
    }
  }

  #grow(): void {
    const old = this.#slots;
    const slots = new Uint32Array(old.length * 2);
    for (let at = 0; at < old.length; at += 2) {
      if (old[at] !== 0 || old[at + 1] !== 0) this.#insert(slots, old[at]!, old[at + 1]!);
    }
    this.#slots = slots;
  }
}
