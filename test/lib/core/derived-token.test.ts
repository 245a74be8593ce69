import { derivedToken } from '../../../lib/core';

describe('derivedToken', () => {
  it('is a version-8 UUID, inside ClientRequestToken limits (32 to 64 characters)', () => {
    const token = derivedToken('keystage-test/1', 'prod/app/db', '11111111-2222-4333-8444-555555555555');
    expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(token).toHaveLength(36);
  });

  it('is the same for the same purpose and parts, and differs when either changes', () => {
    const token = derivedToken('keystage-test/1', 'a', 'b');
    expect(derivedToken('keystage-test/1', 'a', 'b')).toBe(token);
    expect(derivedToken('keystage-test/2', 'a', 'b')).not.toBe(token);
    expect(derivedToken('keystage-test/1', 'a', 'c')).not.toBe(token);
    expect(derivedToken('keystage-test/1', 'b', 'a')).not.toBe(token);
  });

  it('does not confuse parts that concatenate alike', () => {
    expect(derivedToken('p', 'ab', '')).not.toBe(derivedToken('p', 'a', 'b'));
    expect(derivedToken('p', 'a\0b')).not.toBe(derivedToken('p', 'a', 'b'));
    expect(derivedToken('p')).not.toBe(derivedToken('p', ''));
  });
});
