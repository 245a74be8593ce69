import fc from 'fast-check';
// The module object itself (not a namespace copy), so jest.spyOn reaches what lib/ calls.
import crypto from 'node:crypto';
import * as zlib from 'node:zlib';
import { generateApiKey, isWellFormedApiKey, parseApiKey, verifyApiKey } from '../../../lib/generate';
import { crc32, tableCrc32 } from '../../../lib/generate/api-key';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const FORMAT = /^([a-z][a-z0-9]{1,15})_([A-Za-z0-9]{16,128})_([A-Za-z0-9]{6})$/;

/** The ValidationError `run` throws; fails the test when it throws nothing. */
function errorOf(run: () => unknown): Error & { code?: string; field?: string } {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a ValidationError');
}

describe('generateApiKey', () => {
  it('is ks_<32 base62>_<6 base62> by default', () => {
    expect(generateApiKey()).toMatch(/^ks_[A-Za-z0-9]{32}_[A-Za-z0-9]{6}$/);
  });

  it('takes a prefix and body length', () => {
    expect(generateApiKey({ prefix: 'acme', bodyLength: 48 })).toMatch(
      /^acme_[A-Za-z0-9]{48}_[A-Za-z0-9]{6}$/,
    );
  });

  it('is always in the documented format, for any prefix and body length', () => {
    const prefix = fc.stringMatching(/^[a-z][a-z0-9]{1,15}$/);
    fc.assert(
      fc.property(prefix, fc.integer({ min: 16, max: 128 }), (p, bodyLength) => {
        const match = FORMAT.exec(generateApiKey({ prefix: p, bodyLength }));
        expect(match?.[1]).toBe(p);
        expect(match?.[2]).toHaveLength(bodyLength);
      }),
      { numRuns: 300 },
    );
  });

  it('makes a different key every time', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey()));
    expect(keys.size).toBe(1000);
  });

  it.each([['A'], ['a'], ['1abc'], ['has_underscore'], ['a'.repeat(17)], [42]])(
    'rejects prefix %p',
    (prefix) => {
      expect(errorOf(() => generateApiKey({ prefix: prefix as string }))).toMatchObject({
        code: 'VALIDATION_ERROR',
        field: 'prefix',
      });
    },
  );

  it.each([[15], [129], [20.5], [NaN]])('rejects body length %p', (bodyLength) => {
    expect(errorOf(() => generateApiKey({ bodyLength }))).toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'bodyLength',
    });
  });
});

describe('crc32', () => {
  it('gives the standard check value for "123456789"', () => {
    expect(tableCrc32('123456789')).toBe(0xcbf43926);
    expect(crc32('123456789')).toBe(0xcbf43926);
  });

  // The table is the fallback on Node 20 before 20.15; keys must check the same either way.
  it('the table agrees with zlib.crc32 on any text', () => {
    const native = (zlib as { crc32?: (text: string) => number }).crc32;
    if (native === undefined) return; // nothing to compare with on this Node
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), (text) => {
        expect(tableCrc32(text)).toBe(native(text) >>> 0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseApiKey', () => {
  it('returns the parts of a key it made', () => {
    const key = generateApiKey({ prefix: 'acme' });
    const parts = parseApiKey(key);
    expect(`${parts.prefix}_${parts.body}_${parts.checksum}`).toBe(key);
    expect(parts.prefix).toBe('acme');
    expect(parts.body).toHaveLength(32);
  });

  it('detects every single-character substitution in the body', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 128 }),
        fc.nat(),
        fc.constantFrom(...BASE62),
        (bodyLength, at, replacement) => {
          const key = generateApiKey({ bodyLength });
          const i = key.indexOf('_') + 1 + (at % bodyLength);
          fc.pre(key[i] !== replacement);
          expect(isWellFormedApiKey(key.slice(0, i) + replacement + key.slice(i + 1))).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('detects every single-character substitution anywhere in the key', () => {
    const key = generateApiKey({ prefix: 'acme' });
    const replacements = [...BASE62, '_', '-', ' '];
    for (let i = 0; i < key.length; i++) {
      for (const ch of replacements) {
        if (ch === key[i]) continue;
        const typo = key.slice(0, i) + ch + key.slice(i + 1);
        if (isWellFormedApiKey(typo)) throw new Error(`substitution at ${i} went undetected`);
      }
    }
  });

  describe('errors name the broken part and never repeat the key', () => {
    const key = generateApiKey({ prefix: 'acmezq' });
    const [prefix, body, checksum] = key.split('_') as [string, string, string];
    const otherChecksum = checksum === '000000' ? '000001' : '000000';

    it.each([
      ['a missing separator', `${prefix}-${body}_${checksum}`, /2 '_'-separated parts/],
      ['an extra separator', `${prefix}_${body}_${checksum}_x`, /4 '_'-separated parts/],
      ['an uppercase prefix', `ACMEZQ_${body}_${checksum}`, /prefix \(6 characters\)/],
      ['a short body', `${prefix}_${body.slice(0, 15)}_${checksum}`, /body \(15 characters\)/],
      ['a non-base62 body', `${prefix}_${body.slice(0, -1)}!_${checksum}`, /body \(32 characters\)/],
      ['a short checksum', `${prefix}_${body}_${checksum.slice(1)}`, /checksum \(5 characters\)/],
      ['a wrong checksum', `${prefix}_${body}_${otherChecksum}`, /checksum does not match/],
      ['a huge value', key.repeat(100), /at most 152/],
    ])('%s', (_, bad, expected) => {
      const error = errorOf(() => parseApiKey(bad));
      expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'apiKey' });
      expect(error.message).toMatch(expected);
      for (const secret of [bad, key, prefix, body, checksum]) expect(error.message).not.toContain(secret);
    });

    it('a non-string', () => {
      expect(errorOf(() => parseApiKey(42 as unknown as string))).toMatchObject({ field: 'apiKey' });
    });
  });
});

describe('isWellFormedApiKey', () => {
  it('is true for a key it made', () => {
    expect(isWellFormedApiKey(generateApiKey({ bodyLength: 128 }))).toBe(true);
  });

  it('checks the prefix when asked', () => {
    const key = generateApiKey({ prefix: 'acme' });
    expect(isWellFormedApiKey(key, { prefix: 'acme' })).toBe(true);
    expect(isWellFormedApiKey(key, { prefix: 'other' })).toBe(false);
  });

  it('is false, never throwing, for anything that is not a key', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(isWellFormedApiKey(value as string)).toBe(false);
      }),
    );
  });
});

describe('verifyApiKey', () => {
  const key = generateApiKey();

  it('accepts the expected key', () => {
    expect(verifyApiKey(key, key)).toBe(true);
  });

  it('refuses a different key of the same length', () => {
    expect(verifyApiKey(generateApiKey(), key)).toBe(false);
  });

  it('refuses a key of a different length', () => {
    expect(verifyApiKey(key.slice(0, -1), key)).toBe(false);
    expect(verifyApiKey(`${key}x`, key)).toBe(false);
    expect(verifyApiKey(generateApiKey({ bodyLength: 64 }), key)).toBe(false);
  });

  it('compares equal-length SHA-256 digests in constant time, whatever the input lengths', () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      verifyApiKey('short', key);
      expect(spy).toHaveBeenCalledTimes(1);
      const [a, b] = spy.mock.calls[0] as unknown as [Buffer, Buffer];
      expect([a.length, b.length]).toEqual([32, 32]);
      expect(b.equals(crypto.createHash('sha256').update(key).digest())).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses a malformed value even when it equals the expected one', () => {
    expect(verifyApiKey('not-a-key', 'not-a-key')).toBe(false);
    expect(verifyApiKey('', '')).toBe(false);
  });

  it.each([[undefined], [null], [42], [{}], [['x']]])('refuses %p on either side', (value) => {
    expect(verifyApiKey(value as string, key)).toBe(false);
    expect(verifyApiKey(key, value as string)).toBe(false);
  });

  it('is false, never throwing, for any garbage presented', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(verifyApiKey(value as string, key)).toBe(false);
      }),
    );
  });
});
