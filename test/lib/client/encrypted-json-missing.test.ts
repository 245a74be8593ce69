// A service that did not install the AWS Encryption SDK: @aws-crypto/client-node cannot be found.
jest.mock('@aws-crypto/client-node', () => {
  throw Object.assign(new Error("Cannot find module '@aws-crypto/client-node'"), {
    code: 'MODULE_NOT_FOUND',
  });
});

import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { SecretsClient } from '../../../lib/client';
import { ConfigurationError } from '../../../lib/errors';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
let local: LocalFixture;
beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());

describe('encrypted-json without @aws-crypto/client-node installed', () => {
  it('says which package to install, before creating anything', async () => {
    const secrets = new SecretsClient({
      secretsManager: local.sm(),
      kms: local.kms(),
      envelope: { keyId: KEY },
    });
    const error = await secrets
      .create({ name: 'sealed', kind: 'encrypted-json', value: { a: 1 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ variable: '@aws-crypto/client-node' });
    expect((error as Error).message).toMatch(/npm install @aws-crypto\/client-node/);
    const listed = await local.sm().send(new ListSecretsCommand({}));
    expect(listed.SecretList ?? []).toEqual([]);
  });

  it('still creates and reads every other kind', async () => {
    const secrets = new SecretsClient({
      secretsManager: local.sm(),
      kms: local.kms(),
      envelope: { keyId: KEY },
    });
    const ref = await secrets.create({ name: 'plain', kind: 'json', value: { a: 1 } });
    await expect(secrets.getJson(ref.name)).resolves.toEqual({ a: 1 });
  });
});
