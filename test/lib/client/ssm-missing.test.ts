// A service that did not install @aws-sdk/client-ssm (an optional peer dependency).
jest.mock('@aws-sdk/client-ssm', () => {
  throw Object.assign(new Error("Cannot find module '@aws-sdk/client-ssm'"), { code: 'MODULE_NOT_FOUND' });
});

import { SecretsClient } from '../../../lib/client';

describe('SecretsClient without @aws-sdk/client-ssm installed', () => {
  it('reads Secrets Manager as ever, and fails an ssm: read with CONFIGURATION_ERROR naming the package', async () => {
    const secrets = new SecretsClient({ secretsManagerConfig: { region: 'us-east-1' } });
    await expect(secrets.get('ssm:/prod/app/url')).rejects.toMatchObject({
      code: 'CONFIGURATION_ERROR',
      variable: '@aws-sdk/client-ssm',
      message: expect.stringContaining('npm install @aws-sdk/client-ssm'),
    });
  });
});
