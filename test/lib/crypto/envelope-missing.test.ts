// A service that did not install the AWS Encryption SDK: @aws-crypto/client-node cannot be found.
jest.mock('@aws-crypto/client-node', () => {
  throw Object.assign(new Error("Cannot find module '@aws-crypto/client-node'"), {
    code: 'MODULE_NOT_FOUND',
  });
});

import { EnvelopeEncryption } from '../../../lib/crypto';
import { ConfigurationError } from '../../../lib/errors';

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('EnvelopeEncryption without @aws-crypto/client-node installed', () => {
  it('can be constructed: the SDK is loaded on first use', () => {
    expect(() => new EnvelopeEncryption({ keyId: KEY })).not.toThrow();
  });

  it.each(['encrypt', 'decrypt'] as const)('says which package to install on %s', async (method) => {
    const env = new EnvelopeEncryption({ keyId: KEY });
    const call =
      method === 'encrypt'
        ? env.encrypt('value')
        : env.decrypt(new Uint8Array([2, 5, 120]), { expectedContext: {} });
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ code: 'CONFIGURATION_ERROR', variable: '@aws-crypto/client-node' });
    expect((error as Error).message).toMatch(/npm install @aws-crypto\/client-node/);
    expect(env.stats().kms).toEqual({ generateDataKey: 0, encrypt: 0, decrypt: 0 });
  });
});
