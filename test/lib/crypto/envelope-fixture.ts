import { CreateKeyCommand, KMS } from '@aws-sdk/client-kms';
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
