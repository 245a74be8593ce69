import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inspect } from 'node:util';
import { SecretsClient, ValidationError, generateDataKey } from '../../../lib';
import { startRecordingServer } from '../../support/recording-http-server';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/billing/db-AbCdEf';

describe('SecretsClient', () => {
  describe('constructor', () => {
    it('refuses a Secrets Manager client together with its configuration', () => {
      const build = () =>
        new SecretsClient({
          secretsManager: new SecretsManagerClient({}),
          secretsManagerConfig: { region: 'eu-west-1' },
        });
      expect(build).toThrow(ValidationError);
      expect(build).toThrow(/either secretsManager .* or secretsManagerConfig/);
    });

    it('refuses a KMS client together with its configuration', () => {
      expect(() => new SecretsClient({ kms: new KMSClient({}), kmsConfig: {} })).toThrow(
        expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'kmsConfig' }),
      );
    });

    it('refuses an SDK setting passed as its own option, naming it and where it goes', () => {
      const build = () => new SecretsClient({ endpoint: 'http://127.0.0.1:4566' } as never);
      expect(build).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'endpoint' }));
      expect(build).toThrow(/"endpoint" is not a SecretsClient option.*secretsManagerConfig: \{ endpoint \}/);
    });

    it('refuses any unknown option, listing the known ones', () => {
      const build = () => new SecretsClient({ cacheTtl: 5 } as never);
      expect(build).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'cacheTtl' }));
      expect(build).toThrow(/Known options: secretsManager, secretsManagerConfig, kms, kmsConfig, timeouts/);
    });

    it('refuses options that are not an object', () => {
      expect(() => new SecretsClient('eu-west-1' as never)).toThrow(
        expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'options' }),
      );
    });

    it('uses the clients it is given', () => {
      const secretsManager = new SecretsManagerClient({});
      const kms = new KMSClient({});
      const client = new SecretsClient({ secretsManager, kms });
      expect(client.secretsManager).toBe(secretsManager);
      expect(client.kms).toBe(kms);
    });

    it('shows no internals in util.inspect or JSON', () => {
      const client = new SecretsClient();
      expect(inspect(client)).toBe('SecretsClient {}');
      expect(JSON.stringify(client)).toBe('{}');
    });
  });

  describe('default clients', () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });

    it('send Secrets Manager and KMS calls to AWS_ENDPOINT_URL', async () => {
      const server = await startRecordingServer({
        'secretsmanager.GetSecretValue': {
          ARN,
          Name: 'prod/billing/db',
          SecretString: 'from-the-endpoint',
          VersionId: 'a'.repeat(32),
          VersionStages: ['AWSCURRENT'],
        },
        'TrentService.GenerateDataKey': {
          KeyId: 'arn:aws:kms:us-east-1:123456789012:key/k',
          Plaintext: Buffer.alloc(32, 1).toString('base64'),
          CiphertextBlob: Buffer.alloc(64, 2).toString('base64'),
        },
      });
      try {
        process.env.AWS_ENDPOINT_URL = server.url;
        const client = new SecretsClient();

        await expect(client.get('prod/billing/db')).resolves.toBe('from-the-endpoint');
        const key = await generateDataKey(client.kms, { keyId: 'alias/keystage' });
        key.destroy();

        expect(server.requests.map((r) => r.target)).toEqual([
          'secretsmanager.GetSecretValue',
          'TrentService.GenerateDataKey',
        ]);
        expect(server.requests[0]?.body).toEqual({ SecretId: 'prod/billing/db' });
        expect(server.requests[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
      } finally {
        await server.close();
      }
    });

    it('prefer the service-specific AWS_ENDPOINT_URL_SECRETS_MANAGER', async () => {
      const server = await startRecordingServer({
        'secretsmanager.GetSecretValue': {
          ARN,
          Name: 'n',
          SecretString: 'specific',
          VersionId: 'b'.repeat(32),
        },
      });
      try {
        process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
        process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = server.url;
        await expect(new SecretsClient().get('n')).resolves.toBe('specific');
      } finally {
        await server.close();
      }
    });

    it('honour an explicit configuration', async () => {
      const server = await startRecordingServer({
        'secretsmanager.GetSecretValue': {
          ARN,
          Name: 'n',
          SecretString: 'configured',
          VersionId: 'c'.repeat(32),
        },
      });
      try {
        const client = new SecretsClient({
          secretsManagerConfig: { endpoint: server.url, region: 'eu-west-1' },
        });
        await expect(client.get('n')).resolves.toBe('configured');
        expect(server.requests[0]?.headers.authorization).toContain('/eu-west-1/secretsmanager/');
      } finally {
        await server.close();
      }
    });
  });
});
