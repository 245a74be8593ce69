import type { KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsClient, isKeystageError } from 'keystage';
import { EnvelopeEncryption, secretContext } from 'keystage/crypto';

export async function envelopeExample(secretsManager: SecretsManagerClient, kms: KMSClient, keyArn: string) {
  // encrypted-json: encrypted with the AWS Encryption SDK before Secrets Manager sees it
  // (npm install @aws-crypto/client-node), bound to the secret's ARN and VersionId.
  const secrets = new SecretsClient({
    secretsManager,
    kms,
    envelope: {
      keyId: keyArn, // a key ARN: messages record it, and decrypt only with it
      cache: { maxAgeMs: 5 * 60_000, maxMessagesEncrypted: 1000, maxBytesEncrypted: 1024 * 1024 },
    },
  });
  const ref = await secrets.create({
    name: 'ledger',
    kind: 'encrypted-json',
    environment: 'prod',
    service: 'billing',
    value: { apiKey: 'example-ledger-key' },
  });
  // Reads decrypt transparently; the read cache holds only the ciphertext.
  const config = await secrets.getJson<{ apiKey: string }>('prod/billing/ledger');

  // What Secrets Manager stores: {"keystage:envelope":1,"message":"<base64 Encryption SDK message>"}
  const stored = await secretsManager.send(new GetSecretValueCommand({ SecretId: ref.arn }));
  const message = Buffer.from(JSON.parse(stored.SecretString!).message, 'base64');

  // Any Encryption SDK opens it with the key and the context; keystage's EnvelopeEncryption too.
  const envelope = new EnvelopeEncryption({ keyId: keyArn, kms });
  const opened = await envelope.decrypt(message, { expectedContext: secretContext(ref.arn, ref.versionId) });

  // Copied to another version (or secret), the same message is refused: DECODE_ERROR.
  const moved = await envelope
    .decrypt(message, { expectedContext: secretContext(ref.arn, '00000000-0000-4000-8000-000000000000') })
    .catch((error: unknown) => error);

  // New versions are encrypted too. A put without the kind would store the value in the
  // clear, so it is refused (VALIDATION_ERROR, field 'kind') and nothing is written.
  await secrets.put('prod/billing/ledger', { apiKey: 'example-ledger-key-2' }, { kind: 'encrypted-json' });
  const plain = await secrets
    .put('prod/billing/ledger', { apiKey: 'in-the-clear' })
    .catch((error: unknown) => error);
  const current = await secrets.getJson<{ apiKey: string }>('prod/billing/ledger');
  secrets.close();
  return {
    apiKey: config.apiKey,
    storedShowsValue: stored.SecretString!.includes(config.apiKey), // false
    opened: JSON.parse(Buffer.from(opened).toString('utf8')) as unknown, // { apiKey: 'example-ledger-key' }
    movedCode: isKeystageError(moved) ? moved.code : undefined, // 'DECODE_ERROR'
    plainPutCode: isKeystageError(plain) ? plain.code : undefined, // 'VALIDATION_ERROR'
    currentApiKey: current.apiKey, // 'example-ledger-key-2'
  };
}
