import fc from 'fast-check';
import {
  serialiseJsonValue,
  toTagValue,
  validateDurationMs,
  validateInteger,
  validateRegion,
  validateSecretId,
  validateSecretIds,
  validateSecretName,
  validateSecretValue,
  validateTagKeys,
  validateTags,
  validateVersionToken,
} from '../../../lib/core';
import { ValidationError } from '../../../lib/errors';

function fieldOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).field;
  }
  throw new Error('expected a ValidationError');
}

describe('validateSecretName', () => {
  it('accepts the AWS character set up to 512 characters', () => {
    expect(validateSecretName('prod/billing/db_main+x=y.z@w-1')).toBe('prod/billing/db_main+x=y.z@w-1');
    expect(validateSecretName('a'.repeat(512))).toHaveLength(512);
  });

  it.each([[''], ['a'.repeat(513)], ['has space'], ['colon:'], ['ünicode'], [42]])('rejects %p', (name) => {
    expect(fieldOf(() => validateSecretName(name))).toBe('name');
  });

  it('accepts every string built from the allowed characters', () => {
    const allowed = fc.constantFrom(...'abcXYZ019/_+=.@-'.split(''));
    fc.assert(
      fc.property(fc.array(allowed, { minLength: 1, maxLength: 512 }), (chars) => {
        const name = chars.join('');
        return validateSecretName(name) === name;
      }),
    );
  });
});

describe('validateSecretId', () => {
  it('accepts names, full ARNs and partial ARNs', () => {
    expect(validateSecretId('prod/db')).toBe('prod/db');
    expect(validateSecretId('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf')).toMatch(
      /^arn/,
    );
    expect(
      validateSecretId('arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:prod/db'),
    ).toMatch(/^arn/);
  });

  it.each([
    [''],
    ['arn:aws:s3:::bucket'],
    ['arn:aws:secretsmanager:eu-west-1:12345:secret:x'],
    ['a:b'],
    [' x'],
    [null],
  ])('rejects %p', (id) => {
    expect(fieldOf(() => validateSecretId(id))).toBe('id');
  });

  it('names the element of a list that is wrong and removes duplicates', () => {
    expect(fieldOf(() => validateSecretIds(['ok', '']))).toBe('ids[1]');
    expect(validateSecretIds(['a', 'b', 'a'])).toEqual(['a', 'b']);
  });
});

describe('validateSecretValue', () => {
  it('accepts exactly 65,536 bytes and rejects one more', () => {
    expect(validateSecretValue('x'.repeat(65_536))).toHaveLength(65_536);
    expect(fieldOf(() => validateSecretValue('x'.repeat(65_537)))).toBe('value');
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(fieldOf(() => validateSecretValue('€'.repeat(21_846)))).toBe('value');
  });

  it('rejects empty values and wrong types', () => {
    expect(fieldOf(() => validateSecretValue(''))).toBe('value');
    expect(fieldOf(() => validateSecretValue(new Uint8Array(0)))).toBe('value');
    expect(fieldOf(() => validateSecretValue(12))).toBe('value');
  });

  it('never echoes the value it refuses', () => {
    try {
      validateSecretValue('s3cr3t-'.repeat(10_000));
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cr3t');
    }
  });
});

describe('serialiseJsonValue', () => {
  it('serialises objects and arrays', () => {
    expect(serialiseJsonValue({ a: 1 })).toBe('{"a":1}');
    expect(serialiseJsonValue([1])).toBe('[1]');
  });

  it('rejects cycles, BigInts and scalars', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(fieldOf(() => serialiseJsonValue(cycle))).toBe('value');
    expect(fieldOf(() => serialiseJsonValue({ n: 1n }))).toBe('value');
    expect(fieldOf(() => serialiseJsonValue('text'))).toBe('value');
    expect(fieldOf(() => serialiseJsonValue(undefined))).toBe('value');
  });
});

describe('numbers and durations', () => {
  it('bounds integers', () => {
    expect(validateInteger(7, 'recoveryWindowDays', 7, 30)).toBe(7);
    for (const bad of [6, 31, 7.5, NaN, '7']) {
      expect(fieldOf(() => validateInteger(bad, 'recoveryWindowDays', 7, 30))).toBe('recoveryWindowDays');
    }
  });

  it('rejects durations a Node timer cannot honour', () => {
    expect(validateDurationMs(2 ** 31 - 1, 'timeoutMs')).toBe(2 ** 31 - 1);
    for (const bad of [0, -1, NaN, Infinity, 2 ** 31]) {
      expect(fieldOf(() => validateDurationMs(bad, 'timeoutMs'))).toBe('timeoutMs');
    }
  });
});

describe('tags', () => {
  it('accepts the AWS tag character set', () => {
    expect(validateTags({ 'team:owner': 'billing @ eu/1' })).toEqual({ 'team:owner': 'billing @ eu/1' });
  });

  it('rejects reserved, oversized and badly formed tags', () => {
    expect(fieldOf(() => validateTags({ 'aws:x': 'y' }))).toBe('tags');
    expect(fieldOf(() => validateTags({ ['k'.repeat(129)]: 'y' }))).toBe('tags');
    expect(fieldOf(() => validateTags({ k: 'v'.repeat(257) }))).toBe('tags');
    expect(fieldOf(() => validateTags({ k: 'semi;colon' }))).toBe('tags');
    expect(
      fieldOf(() => validateTags(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])))),
    ).toBe('tags');
    expect(fieldOf(() => validateTagKeys([]))).toBe('keys');
  });

  it('turns free text into a valid tag value', () => {
    const value = toTagValue('leaked; see "INC-42" & rotate!');
    expect(validateTags({ reason: value }).reason).toBe(value);
    expect(value).toBe('leaked_ see _INC-42_ _ rotate_');
  });
});

describe('other formats', () => {
  it('checks tokens and regions', () => {
    expect(validateVersionToken('a'.repeat(32), 'clientRequestToken')).toHaveLength(32);
    expect(fieldOf(() => validateVersionToken('short', 'clientRequestToken'))).toBe('clientRequestToken');
    expect(validateRegion('eu-west-1')).toBe('eu-west-1');
    expect(validateRegion('us-gov-west-1')).toBe('us-gov-west-1');
    expect(fieldOf(() => validateRegion('Europe'))).toBe('region');
  });
});
