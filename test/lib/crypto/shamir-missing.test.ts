// A service that did not install shamir-secret-sharing: it cannot be found.
jest.mock('shamir-secret-sharing', () => {
  throw Object.assign(new Error("Cannot find module 'shamir-secret-sharing'"), { code: 'MODULE_NOT_FOUND' });
});

import { combineShares, splitSecret } from '../../../lib/crypto';
import { ConfigurationError } from '../../../lib/errors';

describe('Shamir split knowledge without shamir-secret-sharing installed', () => {
  it('says to install it when a secret is split', async () => {
    const error = await splitSecret('s3cret-value', { threshold: 2, shares: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ code: 'CONFIGURATION_ERROR', variable: 'shamir-secret-sharing' });
    expect((error as Error).message).toMatch(
      /^Shamir split knowledge needs shamir-secret-sharing, .*npm install shamir-secret-sharing/,
    );
  });

  it('checks arguments first: a bad threshold is a ValidationError even without the package', async () => {
    await expect(splitSecret('s3cret-value', { threshold: 4, shares: 3 })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'threshold',
    });
    await expect(combineShares('nope' as never, '')).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'shares',
    });
  });
});
