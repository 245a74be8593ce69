import { generateSymmetricKey } from '../../../lib/generate';

describe('generateSymmetricKey', () => {
  it('is 256 bits', () => {
    expect(generateSymmetricKey()).toHaveLength(32);
  });

  it('differs every time', () => {
    expect(generateSymmetricKey().equals(generateSymmetricKey())).toBe(false);
  });
});
