// A service that installed only @aws-sdk/client-secrets-manager: client-kms cannot be found.
jest.mock('@aws-sdk/client-kms', () => {
  throw Object.assign(new Error("Cannot find module '@aws-sdk/client-kms'"), { code: 'MODULE_NOT_FOUND' });
});

import { SecretsClient } from '../../../lib/client';
import { ConfigurationError } from '../../../lib/errors';
import { startRecordingServer } from '../../support/recording-http-server';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app/db-AbCdEf';

describe('SecretsClient without @aws-sdk/client-kms installed', () => {
  it('says to install it when a data key is asked for, before creating anything', async () => {
    const secrets = new SecretsClient({
      secretsManagerConfig: { endpoint: 'http://127.0.0.1:9', maxAttempts: 1 },
    });
    const error = await secrets
      .create({ name: 'dk', kind: 'data-key', kmsKeyId: 'alias/app' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ code: 'CONFIGURATION_ERROR', variable: '@aws-sdk/client-kms' });
    expect((error as Error).message).toMatch(/npm install @aws-sdk\/client-kms/);
  });

  it('still reads secrets: reading never needs KMS', async () => {
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
    } finally {
      await server.close();
    }
  });
});
