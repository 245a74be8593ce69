import {
  encryptionContext,
  finish,
  refuseRecipient,
  requiredBytes,
  requiredText,
  text,
  type Run,
} from './context';
import { decryptBlob, encryptUnder, encryptingKey } from './encryption';
import type { EncryptionAlgorithm } from './key-spec';

const algorithmOf = (value: string | undefined): EncryptionAlgorithm =>
  (value ?? 'SYMMETRIC_DEFAULT') as EncryptionAlgorithm;

/** Encrypt, Decrypt and ReEncrypt: data of up to 4096 bytes under a key. */
export const CRYPTO_OPERATIONS = {
  Encrypt: (ctx, body) => {
    const algorithm = algorithmOf(text(body, 'EncryptionAlgorithm'));
    const key = encryptingKey(ctx, requiredText(body, 'KeyId'), algorithm, 'Encrypt');
    const blob = encryptUnder(
      key,
      algorithm,
      requiredBytes(body, 'Plaintext'),
      encryptionContext(body, 'EncryptionContext'),
    );
    return finish(body, {
      CiphertextBlob: blob.toString('base64'),
      KeyId: key.arn,
      EncryptionAlgorithm: algorithm,
    });
  },

  Decrypt: (ctx, body) => {
    refuseRecipient(body);
    const algorithm = algorithmOf(text(body, 'EncryptionAlgorithm'));
    const { key, plaintext } = decryptBlob(ctx, requiredBytes(body, 'CiphertextBlob'), {
      keyId: text(body, 'KeyId'),
      algorithm,
      context: encryptionContext(body, 'EncryptionContext'),
    });
    return finish(body, {
      KeyId: key.arn,
      Plaintext: plaintext.toString('base64'),
      EncryptionAlgorithm: algorithm,
    });
  },

  ReEncrypt: (ctx, body) => {
    const sourceAlgorithm = algorithmOf(text(body, 'SourceEncryptionAlgorithm'));
    const destinationAlgorithm = algorithmOf(text(body, 'DestinationEncryptionAlgorithm'));
    const source = decryptBlob(ctx, requiredBytes(body, 'CiphertextBlob'), {
      keyId: text(body, 'SourceKeyId'),
      algorithm: sourceAlgorithm,
      context: encryptionContext(body, 'SourceEncryptionContext'),
    });
    const destination = encryptingKey(
      ctx,
      requiredText(body, 'DestinationKeyId'),
      destinationAlgorithm,
      'ReEncrypt',
    );
    const blob = encryptUnder(
      destination,
      destinationAlgorithm,
      source.plaintext,
      encryptionContext(body, 'DestinationEncryptionContext'),
    );
    return finish(body, {
      CiphertextBlob: blob.toString('base64'),
      SourceKeyId: source.key.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: sourceAlgorithm,
      DestinationEncryptionAlgorithm: destinationAlgorithm,
    });
  },
} satisfies Record<string, Run>;
