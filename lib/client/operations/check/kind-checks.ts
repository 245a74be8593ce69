import type { FetchedSecret } from '../../../cache';
import { parseDatabaseSecret, toKeystageError, type KmsClient, type SecretKind } from '../../../core';
import { kmsSdk, sdkKmsClient } from '../../../core/kms-sdk';
import { SecretDecodeError, ValidationError } from '../../../errors';
import { API_KEY_PREFIX_PATTERN, parseApiKey } from '../../../generate';
import { SECRET_KIND_SPECS, checkSecretShape, type StoredValue } from '../../../organise/kinds';
import { SealedSecretValue } from '../../sealed-value';
import { certificateChecks } from './certificate-checks';
import { failed, passed, type SecretCheck } from './check-result';
import { databaseLogin } from './database-login';

/** What a kind's checks are given: the version read, and what they may use. */
export interface CheckInput {
  readonly secretId: string;
  readonly version: FetchedSecret;
  /** Milliseconds since the epoch, from the client's clock. */
  readonly now: number;
  readonly connectTimeoutMs: number;
  readonly kms: KmsClient;
}

/** The body of a keystage API key (lib/generate/api-key.ts): 16 to 128 base62 characters. */
const KEYSTAGE_KEY_BODY = /^[A-Za-z0-9]{16,128}$/;

/** The kind's shape rule (lib/organise/kinds, the one owner of it) as a check. */
function shapeCheck(kind: SecretKind, value: StoredValue): SecretCheck {
  try {
    checkSecretShape(kind, value);
    return passed('shape', `Has the ${kind} shape: ${SECRET_KIND_SPECS[kind].shape}.`);
  } catch (error) {
    // The kinds' messages name the field and the rule, never the value.
    if (error instanceof ValidationError) return failed('shape', error.message);
    throw error;
  }
}

async function loginCheck(text: string, input: CheckInput): Promise<SecretCheck> {
  return databaseLogin(parseDatabaseSecret(text), input.connectTimeoutMs);
}

/**
 * keystage's own keys (`prefix_body_checksum`) carry a checksum; a provider's key (Stripe's
 * `sk_live_...`, a SendGrid key) has none to verify, and gets no checksum check.
 */
function checksumChecks(text: string): SecretCheck[] {
  const parts = text.split('_');
  if (parts.length !== 3 || !API_KEY_PREFIX_PATTERN.test(parts[0]!) || !KEYSTAGE_KEY_BODY.test(parts[1]!)) {
    return [];
  }
  try {
    parseApiKey(text);
    return [passed('checksum', 'A keystage key (prefix_body_checksum) whose checksum matches.')];
  } catch (error) {
    // parseApiKey describes the part at fault by position and length only.
    if (error instanceof ValidationError) return [failed('checksum', error.message)];
    throw error;
  }
}

/** Whether KMS unwraps the data key to a key of its spec; the plaintext is zeroed at once. */
async function unwrapCheck(text: string, input: CheckInput): Promise<SecretCheck> {
  const fields = JSON.parse(text) as { keyId: string; wrappedKey: string; keySpec?: string };
  const expected = fields.keySpec === 'AES_128' ? 16 : 32;
  const { DecryptCommand } = kmsSdk();
  try {
    const output = await sdkKmsClient(input.kms).send(
      new DecryptCommand({ KeyId: fields.keyId, CiphertextBlob: Buffer.from(fields.wrappedKey, 'base64') }),
    );
    const bytes = output.Plaintext?.byteLength ?? 0;
    output.Plaintext?.fill(0);
    return bytes === expected
      ? passed('unwrap', `KMS unwraps it to a ${expected}-byte key.`)
      : failed('unwrap', `KMS unwraps it to ${bytes} bytes, not the ${expected} of its key spec.`);
  } catch (error) {
    const mapped = toKeystageError(error, { operation: 'Decrypt', secretId: fields.keyId });
    return failed('unwrap', `KMS did not unwrap it (${mapped.code}): ${mapped.message}`);
  }
}

/** An encrypted-json version: an envelope document that opens to a JSON document. */
async function encryptedJsonChecks(input: CheckInput): Promise<SecretCheck[]> {
  const { version, secretId } = input;
  if (!(version.binary instanceof SealedSecretValue)) {
    return [
      failed('decrypt', 'The value is not an encrypted-json envelope document: it is stored in plaintext.'),
    ];
  }
  let plaintext: string;
  try {
    plaintext = await version.binary.open(version, secretId);
  } catch (error) {
    // A client without an envelope key is the caller's setup, not the secret's: that throws.
    if (error instanceof SecretDecodeError) return [failed('decrypt', error.message)];
    throw error;
  }
  return [
    passed('decrypt', "It decrypts with the client's envelope key, bound to this secret and version."),
    shapeCheck('encrypted-json', plaintext),
  ];
}

/**
 * The checks of `kind` on one version: first the kind's shape (lib/organise/kinds), then,
 * when the shape holds, what proves the value works: a database credential logs in, a
 * certificate's chain, validity and key, a keystage API key's checksum, a data key unwraps
 * with KMS; an encrypted-json value must decrypt before its shape can be seen. Failures of
 * the secret are failed checks; failures of the caller's setup (a driver or the KMS SDK not
 * installed, no envelope key) throw.
 */
export async function kindChecks(kind: SecretKind, input: CheckInput): Promise<SecretCheck[]> {
  const { version } = input;
  if (kind === 'encrypted-json') return encryptedJsonChecks(input);
  if (version.binary instanceof SealedSecretValue) {
    return [failed('shape', `The value is an encrypted-json envelope document, not a ${kind} value.`)];
  }
  const value = version.text ?? version.binary;
  if (value === undefined) return [failed('shape', 'The version has no value.')];
  const shape = shapeCheck(kind, value);
  if (!shape.ok || typeof value !== 'string') return [shape];
  switch (kind) {
    case 'database':
      return [shape, await loginCheck(value, input)];
    case 'certificate':
      return [shape, ...certificateChecks(value, input.now)];
    case 'api-key':
      return [shape, ...checksumChecks(value)];
    case 'data-key':
      return [shape, await unwrapCheck(value, input)];
    default:
      return [shape];
  }
}
