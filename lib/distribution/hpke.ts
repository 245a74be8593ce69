import type * as HpkeModule from '@hpke/core';
import { optionalPeer } from '../core/optional-peer';
import { SecretDecodeError } from '../errors';

/**
 * The one HPKE suite distribution uses (RFC 9180): DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * AES-256-GCM, from `@hpke/core` (an optional peer, loaded on first use). Every function
 * here takes and returns plain bytes, so no `@hpke/core` type leaves this file.
 */

type Suite = InstanceType<typeof HpkeModule.CipherSuite>;

/** X25519 public keys, private keys and encapsulations are 32 bytes (RFC 9180 §7.1: Npk, Nsk, Nenc). */
export const X25519_KEY_BYTES = 32;

let cached: Suite | undefined;

/** The suite, built once per process (it holds no key material). */
function suite(): Suite {
  if (cached !== undefined) return cached;
  const hpke = optionalPeer<typeof HpkeModule>('@hpke/core', { needs: 'Sealed distribution (HPKE)' });
  cached = new hpke.CipherSuite({
    kem: new hpke.DhkemX25519HkdfSha256(),
    kdf: new hpke.HkdfSha256(),
    aead: new hpke.Aes256Gcm(),
  });
  return cached;
}

/**
 * Forgets the suite, so the next call loads `@hpke/core` again (tests of the missing-peer path).
 * @example
 * resetHpkeSuite();
 */
export function resetHpkeSuite(): void {
  cached = undefined;
}

const bytes = (buffer: ArrayBuffer): Uint8Array => new Uint8Array(buffer);

/** What a sender context needs: the recipient's key, the context's info and, for mode_psk, the PSK. */
export interface SealParams {
  readonly recipientPublicKey: Uint8Array;
  readonly info: Uint8Array;
  /** mode_psk (RFC 9180 §5.1.2) when given; mode_base otherwise. */
  readonly psk?: { readonly id: Uint8Array; readonly key: Uint8Array };
}

/** What a recipient context needs: the mirror of {@link SealParams}. */
export interface OpenParams {
  readonly recipientPrivateKey: Uint8Array;
  readonly enc: Uint8Array;
  readonly info: Uint8Array;
  readonly psk?: { readonly id: Uint8Array; readonly key: Uint8Array };
}

/** A sender context's result: the encapsulation, the sealed message and the exported secrets asked for. */
export interface Sealed {
  readonly enc: Uint8Array;
  readonly ciphertext: Uint8Array | undefined;
  readonly exported: readonly Uint8Array[];
}

async function senderContext(params: SealParams) {
  const s = suite();
  return s.createSenderContext({
    recipientPublicKey: await s.kem.deserializePublicKey(params.recipientPublicKey),
    info: params.info,
    ...(params.psk === undefined ? {} : { psk: { id: params.psk.id, key: params.psk.key } }),
  });
}

/**
 * SetupS + (optionally) one Seal + Export of each label, 32 bytes each (RFC 9180 §5.1, §5.2, §5.3).
 * A fresh ephemeral key per call.
 */
export async function hpkeSeal(
  params: SealParams,
  plaintext: Uint8Array | undefined,
  aad: Uint8Array,
  exportLabels: readonly Uint8Array[] = [],
): Promise<Sealed> {
  const context = await senderContext(params);
  const ciphertext = plaintext === undefined ? undefined : bytes(await context.seal(plaintext, aad));
  const exported: Uint8Array[] = [];
  for (const label of exportLabels) exported.push(bytes(await context.export(label, 32)));
  return { enc: bytes(context.enc), ciphertext, exported };
}

/**
 * SetupR + (optionally) one Open + Export of each label. Any failure (a wrong key, a changed
 * encapsulation, ciphertext, info, aad or PSK) is the same SecretDecodeError, which says
 * nothing about the plaintext.
 */
export async function hpkeOpen(
  params: OpenParams,
  ciphertext: Uint8Array | undefined,
  aad: Uint8Array,
  exportLabels: readonly Uint8Array[] = [],
  what = 'The envelope',
): Promise<{ plaintext: Uint8Array | undefined; exported: readonly Uint8Array[] }> {
  try {
    const s = suite();
    const context = await s.createRecipientContext({
      recipientKey: await s.kem.deserializePrivateKey(params.recipientPrivateKey),
      enc: params.enc,
      info: params.info,
      ...(params.psk === undefined ? {} : { psk: { id: params.psk.id, key: params.psk.key } }),
    });
    const plaintext = ciphertext === undefined ? undefined : bytes(await context.open(ciphertext, aad));
    const exported: Uint8Array[] = [];
    for (const label of exportLabels) exported.push(bytes(await context.export(label, 32)));
    return { plaintext, exported };
  } catch (error) {
    if (error instanceof SecretDecodeError) throw error;
    // The library's error names the step only; it is dropped so nothing derived from key
    // material rides along as `cause`.
    throw new SecretDecodeError(
      `${what} could not be opened: it was changed, or it is sealed to another recipient key.`,
    );
  }
}
