import type * as EncryptionSdk from '@aws-crypto/client-node';
import { ShareDecodeError } from './share-errors';
import type { SplitHeader } from './share-format';
import { encryptionSdk } from './encryption-sdk';

/**
 * The secret of a split, encrypted under the split data key with the AWS Encryption SDK: a
 * raw AES keyring (AES-256-GCM) wraps the message's own data key, the committing algorithm
 * suite without signatures encrypts (every holder of t shares has the key anyway, so a
 * signature would add nothing), and the encryption context binds the message to its split.
 */

/** What the missing-package error names when the Encryption SDK is not installed. */
const SHAMIR = 'Shamir split knowledge';
const SUITE = 'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY';

/**
 * The Encryption SDK message of `plaintext` under `dataKey`, bound to `split`.
 * @example
 * const message = await sealSecret(dataKey, header, plaintext);
 */
export async function sealSecret(dataKey: Buffer, split: SplitHeader, plaintext: Buffer): Promise<Buffer> {
  const sdk = encryptionSdk(SHAMIR);
  const { encrypt } = encryptionClient(sdk);
  const { result } = await encrypt(keyring(sdk, dataKey), plaintext, {
    encryptionContext: encryptionContext(split),
    suiteId: sdk.AlgorithmSuiteIdentifier[SUITE],
  });
  return result;
}

/**
 * The plaintext of a sealed message, once the data key was recovered and every share checked.
 * @throws ShareDecodeError `damaged-sealed` when it does not decrypt, or not with its split's
 * encryption context and algorithm suite.
 * @example
 * const secret = await openSealed(dataKey, sealed.value);
 */
export async function openSealed(
  dataKey: Buffer,
  split: SplitHeader & { readonly message: Buffer },
): Promise<Buffer> {
  const sdk = encryptionSdk(SHAMIR);
  const { decrypt } = encryptionClient(sdk);
  let opened: Awaited<ReturnType<typeof decrypt>>;
  try {
    opened = await decrypt(keyring(sdk, dataKey), split.message);
  } catch (error) {
    throw new ShareDecodeError(
      'damaged-sealed',
      'sealed does not decrypt under the key the shares reconstruct (every share checked out): the sealed ' +
        'value is damaged or was altered. Use an intact copy.',
      { cause: error },
    );
  }
  const expected = encryptionContext(split);
  const context = opened.messageHeader.encryptionContext;
  const bound =
    Object.keys(context).length === Object.keys(expected).length &&
    Object.entries(expected).every(([name, value]) => context[name] === value) &&
    opened.messageHeader.suiteId === sdk.AlgorithmSuiteIdentifier[SUITE];
  if (!bound) {
    opened.plaintext.fill(0);
    throw new ShareDecodeError(
      'damaged-sealed',
      "sealed decrypts, but not with this split's encryption context or algorithm: it was altered. Use an intact copy.",
    );
  }
  return opened.plaintext;
}

/**
 * Binds the sealed message to its split: a sealed value moved under another split's header
 * fails. One short pair, since the Encryption SDK writes it into every message.
 */
function encryptionContext(split: SplitHeader): Record<string, string> {
  return {
    'keystage:shamir': `v${split.version} ${split.splitId.toString('hex')} ${split.threshold} of ${split.count}`,
  };
}

function encryptionClient(sdk: typeof EncryptionSdk): ReturnType<typeof EncryptionSdk.buildClient> {
  return sdk.buildClient({
    commitmentPolicy: sdk.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
    maxEncryptedDataKeys: 1,
  });
}

function keyring(sdk: typeof EncryptionSdk, dataKey: Buffer): EncryptionSdk.RawAesKeyringNode {
  return new sdk.RawAesKeyringNode({
    keyNamespace: 'keystage',
    // The split id is bound by the encryption context; the key name only says what the key is.
    keyName: 'shamir-split',
    // A copy: the keyring holds on to what it is given (as a KeyObject and a verification
    // copy), and the caller zeroes its own buffer.
    unencryptedMasterKey: new Uint8Array(dataKey),
    wrappingSuite: sdk.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
}
