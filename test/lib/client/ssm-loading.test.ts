// Counts loads of the SSM SDK module: the factory runs when something first requires it.
const mockSsmLoads = { count: 0 };
jest.mock('@aws-sdk/client-ssm', () => {
  mockSsmLoads.count += 1;
  return jest.requireActual('@aws-sdk/client-ssm');
});

import { startRecordingServer } from '../../support/recording-http-server';
// The package entry point, exactly as a service imports it.
import { SecretsClient } from 'keystage';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app/db-AbCdEf';

describe("import 'keystage'", () => {
  it('loads no SSM client until an ssm: id is read, and then its default client follows AWS_ENDPOINT_URL_SSM', async () => {
    const server = await startRecordingServer({
      'secretsmanager.GetSecretValue': {
        ARN,
        Name: 'prod/app/db',
        SecretString: 'v',
        VersionId: 'a'.repeat(32),
      },
      'AmazonSSM.GetParameter': {
        Parameter: {
          Name: '/prod/app/url',
          Type: 'String',
          Value: 'from-ssm',
          Version: 2,
          LastModifiedDate: 1_767_225_600,
        },
      },
    });
    const saved = { ...process.env };
    try {
      process.env.AWS_ENDPOINT_URL_SSM = server.url;
      process.env.AWS_REGION = 'us-east-1';
      process.env.AWS_ACCESS_KEY_ID = 'local';
      process.env.AWS_SECRET_ACCESS_KEY = 'local';
      const secrets = new SecretsClient({ secretsManagerConfig: { endpoint: server.url } });
      await expect(secrets.get('prod/app/db')).resolves.toBe('v');
      expect(mockSsmLoads.count).toBe(0);

      await expect(secrets.get('ssm:/prod/app/url')).resolves.toBe('from-ssm');
      expect(mockSsmLoads.count).toBe(1);
      expect(server.requests.map((request) => request.target)).toEqual([
        'secretsmanager.GetSecretValue',
        'AmazonSSM.GetParameter',
      ]);
      expect(server.requests[1]!.body).toEqual({ Name: '/prod/app/url', WithDecryption: true });
    } finally {
      process.env = saved;
      await server.close();
    }
  });
});
