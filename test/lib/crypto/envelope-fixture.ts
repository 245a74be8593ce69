import { NodeAlgorithmSuite } from '@aws-crypto/client-node';
import { deserializeFactory, type HeaderInfo } from '@aws-crypto/serialize';
import { CreateKeyCommand, KMS } from '@aws-sdk/client-kms';
import { secretContext } from '../../../lib/crypto';
import { startEnvelopeWorker, type EnvelopeWorker } from '../../support/envelope-worker';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

export interface EnvelopeFixture {
  readonly local: LocalFixture;
  /** A fresh symmetric KMS key's ARN. */
  newKey(): Promise<string>;
  /** The aggregated KMS client (the shape the Encryption SDK's own examples use), on the endpoint. */
  sdkKms(): KMS;
}

/** A local endpoint and a way to make KMS keys in it. */
export async function startEnvelopeFixture(): Promise<EnvelopeFixture> {
  const local = await startLocal();
  const kms = local.kms();
  return {
    local,
    newKey: async () => (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!,
    sdkKms: () =>
      new KMS({
        endpoint: local.endpoint.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      }),
  };
}

/** The context the worker suites encrypt under: a secret's ARN and VersionId. */
export const WORKER_CONTEXT = secretContext(
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app/db-AbCdEf',
  'v'.repeat(32),
);

const { deserializeMessageHeader } = deserializeFactory(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  NodeAlgorithmSuite,
);

/** A message's header, parsed by the Encryption SDK's own deserializer. */
export function messageHeader(message: Uint8Array): HeaderInfo {
  const info = deserializeMessageHeader(message);
  if (info === false) throw new Error('test: incomplete header');
  return info;
}

/** The endpoint, a key in it and an envelope worker on it, for the suites that run outside Jest's sandbox. */
export interface EnvelopeWorkerSetup {
  readonly fx: EnvelopeFixture;
  readonly worker: EnvelopeWorker;
  readonly keyArn: string;
  close(): Promise<void>;
}

export async function startEnvelopeWorkerSetup(): Promise<EnvelopeWorkerSetup> {
  const fx = await startEnvelopeFixture();
  const keyArn = await fx.newKey();
  const worker = await startEnvelopeWorker(fx.local.endpoint.url);
  return {
    fx,
    worker,
    keyArn,
    close: async () => {
      await worker.close();
      await fx.local.endpoint.close();
    },
  };
}
