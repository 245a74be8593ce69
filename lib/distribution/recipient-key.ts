import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { ValidationError, show } from '../errors';
import { X25519_KEY_BYTES } from './hpke';
import { strictBase64url } from './length-prefixed';

/** DER of a PKCS#8 X25519 private key up to the 32 key bytes (RFC 8410 §7). */
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * The hex SHA-256 of a raw X25519 public key: how envelopes and records name the key.
 * @example
 * recipientKeyFingerprint(key.publicKey); // '9f86d0…' (64 hex digits)
 */
export function recipientKeyFingerprint(publicKey: string | Uint8Array): string {
  const raw = typeof publicKey === 'string' ? decodePublicKey(publicKey, 'publicKey') : publicKey;
  return createHash('sha256').update(raw).digest('hex');
}

/** A registered public key as raw bytes, checked: 32 bytes in unpadded base64url. */
export function decodePublicKey(publicKey: unknown, field: string): Buffer {
  let raw: Buffer | undefined;
  try {
    raw = typeof publicKey === 'string' ? strictBase64url(publicKey, field) : undefined;
  } catch {
    raw = undefined;
  }
  if (raw?.length !== X25519_KEY_BYTES) {
    throw new ValidationError(
      field,
      `${field} must be an X25519 public key: 32 bytes as unpadded base64url (RecipientKey.publicKey), got ${show(publicKey)}.`,
    );
  }
  return raw;
}

let privateKeyOf: (key: RecipientKey) => Uint8Array;
let makeKey: (privateKey: Uint8Array, publicKey: Uint8Array) => RecipientKey;

/**
 * A recipient's X25519 key pair. The public half (`publicKey`, base64url) is what you register
 * with a distributor; the private half never leaves this object except through
 * `exportPrivateKey()`, and `JSON.stringify` and `util.inspect` show the public half only.
 * @example
 * const key = await generateRecipientKey();
 * distributor.registerRecipient({ principal, publicKey: key.publicKey });
 * await store.put('prod/reports/recipient-key', key.exportPrivateKey()); // to keep it
 */
export class RecipientKey {
  /** The raw 32-byte public key, unpadded base64url. */
  readonly publicKey: string;
  /** Hex SHA-256 of the raw public key. */
  readonly fingerprint: string;
  readonly #privateKey: Uint8Array;

  static {
    privateKeyOf = (key) => key.#privateKey;
    makeKey = (privateKey, publicKey) => new RecipientKey(privateKey, publicKey);
  }

  private constructor(privateKey: Uint8Array, publicKey: Uint8Array) {
    this.#privateKey = privateKey;
    this.publicKey = Buffer.from(publicKey).toString('base64url');
    this.fingerprint = recipientKeyFingerprint(publicKey);
  }

  /**
   * A key from its 32 private bytes (what `exportPrivateKey()` gave).
   * @example
   * const key = RecipientKey.fromPrivateKey(await secrets.getBinary('prod/reports/recipient-key'));
   */
  static fromPrivateKey(privateKey: Uint8Array): RecipientKey {
    if (!(privateKey instanceof Uint8Array) || privateKey.length !== X25519_KEY_BYTES) {
      throw new ValidationError(
        'privateKey',
        `privateKey must be the 32 bytes of an X25519 private key (RecipientKey.exportPrivateKey()), got ${
          privateKey instanceof Uint8Array ? `${privateKey.length} bytes` : show(privateKey)
        }.`,
      );
    }
    const key = createPrivateKey({
      key: Buffer.concat([PKCS8_X25519_PREFIX, privateKey]),
      format: 'der',
      type: 'pkcs8',
    });
    const x = createPublicKey(key).export({ format: 'jwk' }).x!;
    return new RecipientKey(Uint8Array.from(privateKey), Buffer.from(x, 'base64url'));
  }

  /**
   * A copy of the 32 private bytes, to store as a secret of its own. Anyone holding them
   * can open what is sealed to this key (while the distribution lets them).
   * @example
   * await secrets.put('prod/reports/recipient-key', key.exportPrivateKey());
   */
  exportPrivateKey(): Uint8Array {
    return Uint8Array.from(this.#privateKey);
  }

  /** The public half only. */
  toJSON(): { publicKey: string; fingerprint: string } {
    return { publicKey: this.publicKey, fingerprint: this.fingerprint };
  }

  [inspect.custom](): string {
    return `RecipientKey { fingerprint: '${this.fingerprint}', privateKey: [redacted] }`;
  }
}

/** The private bytes of a key, for the recipient's HPKE context; never exported from the barrel. */
export function recipientPrivateKey(key: RecipientKey): Uint8Array {
  return privateKeyOf(key);
}

/**
 * A fresh X25519 key pair for a recipient, from node:crypto's CSPRNG.
 * @example
 * const key = await generateRecipientKey();
 * key.publicKey; // 'mU5f…' (43 characters): register this
 */
export async function generateRecipientKey(): Promise<RecipientKey> {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const d = privateKey.export({ format: 'jwk' }).d!;
  const x = publicKey.export({ format: 'jwk' }).x!;
  return Promise.resolve(makeKey(new Uint8Array(Buffer.from(d, 'base64url')), Buffer.from(x, 'base64url')));
}
