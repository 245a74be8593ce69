// Counts loads of the KMS SDK module: the factory runs when something first requires it.
const mockKmsLoads = { count: 0 };
jest.mock('@aws-sdk/client-kms', () => {
  mockKmsLoads.count += 1;
  return jest.requireActual('@aws-sdk/client-kms');
});

import { startRecordingServer } from '../../support/recording-http-server';
// The package entry point, exactly as a service imports it.
import { SecretsClient } from 'keystage';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app/db-AbCdEf';

describe("import 'keystage'", () => {
  it('loads no KMS client, not even for the first get, until KMS is used', async () => {
    const server = await startRecordingServer({
      'secretsmanager.GetSecretValue': {
        ARN,
        Name: 'prod/app/db',
        SecretString: 'v',
        VersionId: 'a'.repeat(32),
      },
    });
    try {
      const secrets = new SecretsClient({ secretsManagerConfig: { endpoint: server.url } });
      await expect(secrets.get('prod/app/db')).resolves.toBe('v');
      expect(mockKmsLoads.count).toBe(0);

      void secrets.kms; // the first use creates the default KMS client

      expect(mockKmsLoads.count).toBe(1);
    } finally {
      await server.close();
    }
  });
});
