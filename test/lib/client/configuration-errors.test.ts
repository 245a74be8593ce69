import { ConfigurationError } from '../../../lib/errors';
import { SecretsClient } from '../../../lib/client';
import { startRecordingServer } from '../../support/recording-http-server';

/** Every variable the SDK reads a region or credentials from, besides the ones a test sets. */
const AWS_SETTINGS = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
];

describe('SecretsClient without AWS configuration (real SDK clients)', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const name of AWS_SETTINGS) delete process.env[name];
    // No shared config or credentials files, and no instance metadata service, to fall back on.
    process.env.AWS_CONFIG_FILE = '/nonexistent/keystage-test/config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/keystage-test/credentials';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reports a missing region as CONFIGURATION_ERROR naming AWS_REGION', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAKEYSTAGETEST0000';
    process.env.AWS_SECRET_ACCESS_KEY = 'dummy';
    const error = await new SecretsClient({ cache: false }).get('prod/app/db').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ code: 'CONFIGURATION_ERROR', variable: 'AWS_REGION', retryable: false });
    expect((error as Error).message).toMatch(/No AWS region is configured: set AWS_REGION/);
  });

  it('reports missing credentials as CONFIGURATION_ERROR naming AWS_PROFILE, before any request', async () => {
    const server = await startRecordingServer({});
    try {
      process.env.AWS_REGION = 'eu-west-1';
      const client = new SecretsClient({ secretsManagerConfig: { endpoint: server.url }, cache: false });
      const error = await client.get('prod/app/db').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CONFIGURATION_ERROR', variable: 'AWS_PROFILE' });
      expect((error as Error).message).toMatch(
        /set AWS_PROFILE .*, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
      );
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('says the same for the KMS client', async () => {
    const client = new SecretsClient({ cache: false });
    const error = await client
      .create({ name: 'dk', kind: 'data-key', kmsKeyId: 'alias/app' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIGURATION_ERROR', variable: 'AWS_REGION' });
  });
});
