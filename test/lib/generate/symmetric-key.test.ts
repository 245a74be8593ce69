import { generateSymmetricKey } from '../../../lib/generate';

describe('generateSymmetricKey', () => {
  it('is a 256-bit Buffer', () => {
    const key = generateSymmetricKey();
    expect(Buffer.isBuffer(key)).toBe(true);
    expect(key).toHaveLength(32);
  });

  it('differs every time', () => {
    expect(generateSymmetricKey().equals(generateSymmetricKey())).toBe(false);
  });
});
