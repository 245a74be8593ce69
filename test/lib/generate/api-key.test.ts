import fc from 'fast-check';
import { generateApiKey, isWellFormedApiKey, parseApiKey, verifyApiKey } from '../../../lib/generate';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('generateApiKey', () => {
  it('is prefix_body_checksum', () => {
    expect(generateApiKey()).toMatch(/^ks_[A-Za-z0-9]{32}_[A-Za-z0-9]{6}$/);
    expect(generateApiKey({ prefix: 'acme', bodyLength: 48 })).toMatch(
      /^acme_[A-Za-z0-9]{48}_[A-Za-z0-9]{6}$/,
    );
  });

  it.each([['A'], ['a'], ['1abc'], ['has_underscore'], ['a'.repeat(17)]])('rejects prefix %p', (prefix) => {
    expect(() => generateApiKey({ prefix })).toThrow(expect.objectContaining({ field: 'prefix' }));
  });

  it.each([[15], [129], [20.5]])('rejects body length %p', (bodyLength) => {
    expect(() => generateApiKey({ bodyLength })).toThrow(expect.objectContaining({ field: 'bodyLength' }));
  });
});

describe('parseApiKey', () => {
  it('returns the parts of a key it made', () => {
    const key = generateApiKey({ prefix: 'acme' });
    const parts = parseApiKey(key);
    expect(`${parts.prefix}_${parts.body}_${parts.checksum}`).toBe(key);
    expect(parts.prefix).toBe('acme');
  });

  it('detects every single-character substitution in the body', () => {
    const key = generateApiKey();
    const bodyStart = key.indexOf('_') + 1;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 31 }), fc.constantFrom(...BASE62), (offset, replacement) => {
        const i = bodyStart + offset;
        fc.pre(key[i] !== replacement);
        const typo = key.slice(0, i) + replacement + key.slice(i + 1);
        expect(isWellFormedApiKey(typo)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('names the broken part without repeating the key', () => {
    const key = generateApiKey();
    const broken = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [broken, `${key}!`, key.replace('_', '-')]) {
      try {
        parseApiKey(bad);
        throw new Error('expected a ValidationError');
      } catch (error) {
        expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'apiKey' });
        expect((error as Error).message).not.toContain(key.slice(3, 35));
      }
    }
  });
});

describe('isWellFormedApiKey', () => {
  it('checks the prefix when asked', () => {
    const key = generateApiKey({ prefix: 'acme' });
    expect(isWellFormedApiKey(key, { prefix: 'acme' })).toBe(true);
    expect(isWellFormedApiKey(key, { prefix: 'other' })).toBe(false);
  });

  it('is false for anything that is not a key', () => {
    expect(isWellFormedApiKey('')).toBe(false);
    expect(isWellFormedApiKey(42 as unknown as string)).toBe(false);
  });
});

describe('verifyApiKey', () => {
  const key = generateApiKey();

  it('accepts the expected key', () => {
    expect(verifyApiKey(key, key)).toBe(true);
  });

  it('refuses a different key, a prefix of it, garbage and non-strings', () => {
    expect(verifyApiKey(generateApiKey(), key)).toBe(false);
    expect(verifyApiKey(key.slice(0, -1), key)).toBe(false);
    expect(verifyApiKey(`${key}x`, key)).toBe(false);
    expect(verifyApiKey('', key)).toBe(false);
    expect(verifyApiKey(undefined, key)).toBe(false);
    expect(verifyApiKey(key, undefined)).toBe(false);
  });

  it('refuses a malformed value even when it equals the expected one', () => {
    expect(verifyApiKey('not-a-key', 'not-a-key')).toBe(false);
  });
});
