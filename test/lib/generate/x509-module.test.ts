// The X.509 package is an optional peer: without it, making a certificate is a
// ConfigurationError that says what to install. Its own file: the module mock must not leak.
jest.mock('@peculiar/x509', () => {
  throw Object.assign(new Error("Cannot find module '@peculiar/x509' from 'lib/generate/x509-module.ts'"), {
    code: 'MODULE_NOT_FOUND',
  });
});

import * as keystage from '../../../lib';
import { createCertificateAuthority } from '../../../lib/generate';

describe('x509Module without @peculiar/x509 installed', () => {
  it('leaves `keystage` importable: the package is loaded only when a certificate is made', () => {
    expect(typeof keystage.createCertificateAuthority).toBe('function');
    expect(typeof keystage.SecretsClient).toBe('function');
  });

  it('fails certificate generation with a ConfigurationError naming the package and how to install it', async () => {
    await expect(createCertificateAuthority({ commonName: 'No Peer CA' })).rejects.toMatchObject({
      code: 'CONFIGURATION_ERROR',
      variable: '@peculiar/x509',
      message: expect.stringContaining('npm install @peculiar/x509'),
    });
  });
});
