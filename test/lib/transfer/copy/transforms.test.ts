import { ValidationError } from '../../../../lib/errors';
import { checkTransforms, transformName, transformValue } from '../../../../lib/transfer/copy/transforms';

const LIVE = { replace: '_live_', with: '_test_' };

describe('checkTransforms', () => {
  it('takes no transforms as none', () => {
    const transforms = checkTransforms(undefined);
    expect(transforms.names).toEqual([]);
    expect(transforms.keys).toEqual([]);
    expect(transforms.values).toEqual([]);
  });

  it('rewrites names and JSON keys by default, string values only when asked', () => {
    expect(checkTransforms([LIVE])).toMatchObject({
      names: [{ find: '_live_', put: '_test_' }],
      keys: [{ find: '_live_', put: '_test_' }],
      values: [],
    });
    expect(checkTransforms([{ ...LIVE, in: ['values'] }])).toMatchObject({
      names: [],
      keys: [],
      values: [{ find: '_live_' }],
    });
  });

  it('gives a fingerprint that changes with the text, the order and the scopes', () => {
    const other = { replace: 'prod', with: 'stg' };
    const prints = [
      checkTransforms([LIVE]),
      checkTransforms([{ ...LIVE, with: '_dev_' }]),
      checkTransforms([LIVE, other]),
      checkTransforms([other, LIVE]),
      checkTransforms([{ ...LIVE, in: ['names'] }]),
    ].map((transforms) => transforms.fingerprint);
    expect(new Set(prints).size).toBe(prints.length);
    expect(checkTransforms([{ ...LIVE, in: ['keys', 'names'] }]).fingerprint).toBe(
      checkTransforms([LIVE]).fingerprint,
    );
  });

  it.each([
    ['not an array', { replace: 'a', with: 'b' }, 'transform'],
    ['not an object', ['x'], 'transform[0]'],
    ['an unknown field', [{ replace: 'a', with: 'b', into: ['names'] }], 'transform[0].into'],
    ['an empty replace', [{ replace: '', with: 'b' }], 'transform[0].replace'],
    ['a missing with', [{ replace: 'a' }], 'transform[0].with'],
    ['an unknown scope', [{ replace: 'a', with: 'b', in: ['tags'] }], 'transform[0].in[0]'],
    ['an empty scope list', [{ replace: 'a', with: 'b', in: [] }], 'transform[0].in'],
    ['a name character it cannot be', [{ replace: 'a', with: 'b c' }], 'transform[0]'],
  ])('refuses %s, naming the field', (_what, value, field) => {
    let error: unknown;
    try {
      checkTransforms(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
  });

  it('lets a value-only transform hold any characters', () => {
    expect(
      checkTransforms([{ replace: 'https://live', with: 'https://test ', in: ['values'] }]).values,
    ).toHaveLength(1);
  });
});

describe('transformName', () => {
  it('replaces every occurrence, transforms in order', () => {
    const transforms = checkTransforms([LIVE, { replace: 'key', with: 'secret' }]);
    expect(transformName(transforms, 'a_live_key_live_b')).toBe('a_test_secret_test_b');
  });
});

describe('transformValue', () => {
  const keys = checkTransforms([LIVE]);
  const values = checkTransforms([{ replace: 'db.prod', with: 'db.staging', in: ['values'] }]);

  it('rewrites JSON keys at every depth and leaves values alone', () => {
    const value = JSON.stringify({ sk_live_key: 'sk_live_1', nested: [{ a_live_b: 1 }] });
    expect(JSON.parse(transformValue(keys, value, 's'))).toEqual({
      sk_test_key: 'sk_live_1',
      nested: [{ a_test_b: 1 }],
    });
  });

  it('rewrites string values inside JSON and whole string values when asked', () => {
    const value = JSON.stringify({ host: 'db.prod.internal', port: 5432, db_prod: 'x' });
    expect(JSON.parse(transformValue(values, value, 's'))).toEqual({
      host: 'db.staging.internal',
      port: 5432,
      db_prod: 'x',
    });
    expect(transformValue(values, 'postgres://db.prod:5432', 's')).toBe('postgres://db.staging:5432');
  });

  it('copies a value the transforms do not touch byte for byte', () => {
    const spaced = '{ "token":  "unchanged" }';
    expect(transformValue(keys, spaced, 's')).toBe(spaced);
    expect(transformValue(keys, 'sk_live_plain_string', 's')).toBe('sk_live_plain_string');
  });

  it('keeps a "__proto__" key an ordinary key', () => {
    const value = '{"__proto__":{"a_live_":1}}';
    expect(transformValue(keys, value, 's')).toBe('{"__proto__":{"a_test_":1}}');
  });

  it('refuses keys that would collide, naming the secret and no value', () => {
    const value = JSON.stringify({ k_live_: 'planted-one', k_test_: 'planted-two' });
    let error: unknown;
    try {
      transformValue(keys, value, 'prod/billing/cfg');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain('"prod/billing/cfg"');
    expect((error as ValidationError).message).not.toContain('planted');
  });

  it('refuses JSON nested deeper than it walks, rather than overflowing the stack', () => {
    const deep = '['.repeat(300) + '"x_live_"' + ']'.repeat(300);
    expect(() => transformValue(checkTransforms([{ ...LIVE, in: ['values'] }]), deep, 's')).toThrow(
      ValidationError,
    );
  });
});
