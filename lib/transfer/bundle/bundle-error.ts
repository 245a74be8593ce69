import { SecretDecodeError, type KeystageErrorOptions } from '../../errors';

/**
 * Why a bundle was refused:
 * - `not-a-bundle`: the source does not start with a keystage bundle preamble;
 * - `unsupported`: a format version or KDF setting this keystage does not read;
 * - `wrong-key`: the passphrase or KMS key given is not the one the bundle was written with,
 *   or the protection kind differs (a passphrase for a KMS bundle);
 * - `altered`: the bundle fails authentication: a byte changed, a part is missing or out of
 *   order, an entry was added, removed or altered, or it was cut short.
 */
export type BundleRefusal = 'not-a-bundle' | 'unsupported' | 'wrong-key' | 'altered';

/**
 * A bundle that cannot be trusted: nothing read from it may be used. DECODE_ERROR, with
 * `reason` saying what to do: check the passphrase or key (`wrong-key`), or get an intact
 * copy (`altered`). No message or cause carries a byte of the bundle's content.
 * @example
 * try {
 *   await verifyBundle('secrets.bundle', { passphrase });
 * } catch (error) {
 *   if (error instanceof BundleAuthenticationError && error.reason === 'wrong-key') askAgain();
 *   else throw error;
 * }
 */
export class BundleAuthenticationError extends SecretDecodeError {
  /** Why the bundle was refused. */
  readonly reason: BundleRefusal;

  constructor(reason: BundleRefusal, message: string, options?: KeystageErrorOptions) {
    super(message, options);
    this.reason = reason;
  }

  override toJSON(): ReturnType<SecretDecodeError['toJSON']> & { reason: BundleRefusal } {
    return { ...super.toJSON(), reason: this.reason };
  }
}

/**
 * The Encryption SDK's error as a plain name and message (SDK messages name conditions, such
 * as "Invalid Signature", never bytes), so no stack or property of the SDK's rides along.
 */
export function sdkFailure(error: unknown): { readonly name: string; readonly message: string } {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return {
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message.slice(0, 200) : 'no message',
  };
}
