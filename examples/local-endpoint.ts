import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startLocalEndpoint } from 'keystage/local';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export async function localEndpointExample(dataDir: string): Promise<string | undefined> {
  // One endpoint holds a data directory at a time; a second is refused, naming this one.
  const endpoint = await startLocalEndpoint({ dataDir }); // port 0: any free port
  const sm = new SecretsManagerClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
  // Answered only once the write is on disk (fsync); a full disk answers 500 and changes nothing.
  await sm.send(new CreateSecretCommand({ Name: 'dev/billing/api-key', SecretString: 'sk_test_local' }));
  sm.destroy();
  await endpoint.close(); // waits for writes and rotations, then releases the directory

  const again = await startLocalEndpoint({ dataDir });
  const client = new SecretsManagerClient({ endpoint: again.url, region: 'us-east-1', credentials });
  try {
    const { SecretString } = await client.send(
      new GetSecretValueCommand({ SecretId: 'dev/billing/api-key' }),
    );
    return SecretString;
  } finally {
    client.destroy();
    await again.close();
  }
}
