import { inspect } from 'node:util';
import { SecretSplit, ShareDecodeError, combineShares, splitSecret } from '../../../lib/crypto';
import { ValidationError } from '../../../lib/errors';
import { SHARE_PREFIX, bytesOf, rejection, textOf, withDecodedByte } from '../../support/shamir-shares';

const SECRET = 'Canary-bad-input-0d9c8b7a';

/** Every way an error can be shown; none may hold the secret or any share's text. */
function shown(error: Error): string {
  return [error.message, error.stack ?? '', inspect(error, { depth: 10 }), JSON.stringify(error)].join('\n');
}

function expectNoLeak(error: Error, split: SecretSplit): void {
  const text = shown(error);
  expect(text).not.toContain(SECRET);
  for (const share of [...split.shares, split.sealed]) {
    expect(text).not.toContain(share.slice(SHARE_PREFIX.length, SHARE_PREFIX.length + 16));
  }
}

async function validationError(promise: Promise<unknown>, field: string): Promise<ValidationError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ValidationError);
  expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field });
  return error as unknown as ValidationError;
}

async function decodeError(promise: Promise<unknown>, problem: string): Promise<ShareDecodeError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ShareDecodeError);
  expect(error).toMatchObject({ code: 'DECODE_ERROR', problem });
  return error as unknown as ShareDecodeError;
}

describe('splitSecret arguments', () => {
  it.each([
    ['t > n', { threshold: 4, shares: 3 }, 'threshold', /threshold 4 is more than shares 3/],
    ['t = 1', { threshold: 1, shares: 3 }, 'threshold', /threshold must be an integer from 2/],
    ['t = 0', { threshold: 0, shares: 3 }, 'threshold', /got 0/],
    ['t not an integer', { threshold: 2.5, shares: 3 }, 'threshold', /got 2.5/],
    ['t NaN', { threshold: NaN, shares: 3 }, 'threshold', /got NaN/],
    ['t a string', { threshold: '2', shares: 3 }, 'threshold', /got "2"/],
    ['n > 255', { threshold: 2, shares: 256 }, 'shares', /from 2 to 255, got 256/],
    ['n = 1', { threshold: 2, shares: 1 }, 'shares', /got 1/],
    ['n Infinity', { threshold: 2, shares: Infinity }, 'shares', /got Infinity/],
    ['n missing', { threshold: 2 }, 'shares', /got undefined/],
  ])('refuses %s', async (_, options, field, message) => {
    const error = await validationError(splitSecret(SECRET, options as never), field);
    expect(error.message).toMatch(message);
    expect(shown(error)).not.toContain(SECRET);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 3],
  ])('refuses options that are %s', async (_, options) => {
    await validationError(splitSecret(SECRET, options as never), 'options');
  });

  it.each([
    ['an empty string', ''],
    ['empty bytes', new Uint8Array(0)],
    ['a number', 42],
    ['null', null],
    ['an ArrayBuffer', new ArrayBuffer(4)],
    ['a string with a lone surrogate', 'abc\ud800'],
  ])('refuses a secret that is %s', async (_, secret) => {
    await validationError(splitSecret(secret as never, { threshold: 2, shares: 3 }), 'secret');
  });

  it('accepts the limits 2-of-2 and a Buffer secret', async () => {
    const split = await splitSecret(Buffer.from(SECRET), { threshold: 2, shares: 2 });
    expect((await combineShares([...split.shares], split.sealed)).toString()).toBe(SECRET);
  });
});

describe('combineShares bad input', () => {
  let split: SecretSplit;
  let other: SecretSplit;
  beforeAll(async () => {
    split = await splitSecret(SECRET, { threshold: 3, shares: 5 });
    other = await splitSecret('another secret', { threshold: 3, shares: 5 });
  });

  describe('wrong types', () => {
    it.each([
      ['a string', 'ks1-share-AAAA'],
      ['undefined', undefined],
      ['an object', { 0: 'a' }],
    ])('refuses shares that are %s', async (_, shares) => {
      await validationError(combineShares(shares as never, split.sealed), 'shares');
    });

    it('names the element that is not a string', async () => {
      const shares = [split.shares[0], Buffer.from(split.shares[1]!), split.shares[2]];
      const error = await validationError(combineShares(shares as never, split.sealed), 'shares[1]');
      expect(error.message).toMatch(/shares\[1\] must be a share string, got a object/);
      expectNoLeak(error, split);
    });

    it('refuses a sealed value that is not a string', async () => {
      await validationError(
        combineShares(split.shares.slice(0, 3), Buffer.from(split.sealed) as never),
        'sealed',
      );
    });

    it('refuses more than 255 shares', async () => {
      await validationError(
        combineShares(new Array<string>(256).fill(split.shares[0]!), split.sealed),
        'shares',
      );
    });
  });

  describe('too few or repeated shares', () => {
    it('refuses fewer than threshold shares, saying how many are needed', async () => {
      const error = await validationError(combineShares(split.shares.slice(0, 2), split.sealed), 'shares');
      expect(error.message).toMatch(
        /needs 3 shares to recover its secret, got 2 \(shares\[0\] \(share 1 of 5\)/,
      );
      expectNoLeak(error, split);
    });

    it('refuses no shares at all', async () => {
      await validationError(combineShares([], split.sealed), 'shares');
    });

    it('refuses a share given twice, naming both positions', async () => {
      const shares = [split.shares[0]!, split.shares[1]!, split.shares[0]!, split.shares[2]!];
      const error = await validationError(combineShares(shares, split.sealed), 'shares');
      expect(error.message).toBe('shares[2] (share 1 of 5) repeats shares[0]: pass each share once.');
    });
  });

  describe('ids', () => {
    it.each([
      ['zero', 0, /its share index is 0, outside 1\.\.5/],
      ['above the share count', 6, /its share index is 6, outside 1\.\.5/],
    ])('names a share whose index is %s', async (_, index, message) => {
      const shares = [split.shares[0]!, withDecodedByte(split.shares[1]!, 19, index), split.shares[2]!];
      const error = await decodeError(combineShares(shares, split.sealed), 'malformed-share');
      expect(error.positions).toEqual([1]);
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/shares\[1\]/);
    });

    it('names a share whose x coordinate is zero', async () => {
      const shares = [split.shares[0]!, split.shares[1]!, withDecodedByte(split.shares[2]!, 52, 0)];
      const error = await decodeError(combineShares(shares, split.sealed), 'malformed-share');
      expect(error.positions).toEqual([2]);
      expect(error.message).toMatch(/x coordinate is 0/);
    });

    it('names a share relabelled with another share’s index (its tag fails)', async () => {
      const shares = [split.shares[0]!, withDecodedByte(split.shares[1]!, 19, 1), split.shares[2]!];
      const error = await decodeError(combineShares(shares, split.sealed), 'damaged-share');
      expect(error.positions).toEqual([1]);
      expect(error.message).toMatch(/shares\[1\] \(share 1 of 5\) fails its integrity tag/);
    });

    it('finds the damaged one of two shares with the same x coordinate when a spare share is given', async () => {
      const x = bytesOf(split.shares[0]!)[52]!;
      const shares = [
        split.shares[0]!,
        withDecodedByte(split.shares[1]!, 52, x),
        split.shares[2]!,
        split.shares[3]!,
      ];
      const error = await decodeError(combineShares(shares, split.sealed), 'damaged-share');
      expect(error.positions).toEqual([1]);
    });

    it('suspects exactly the two shares with the same x coordinate when only threshold shares are given', async () => {
      const x = bytesOf(split.shares[0]!)[52]!;
      const shares = [split.shares[0]!, split.shares[1]!, withDecodedByte(split.shares[2]!, 52, x)];
      const error = await decodeError(combineShares(shares, split.sealed), 'unidentified-share');
      expect(error.suspects).toEqual([0, 2]);
      expect(error.positions).toEqual([]);
    });
  });

  describe('mixed and foreign shares', () => {
    it('names the share of another split by position and index', async () => {
      const shares = [split.shares[0]!, other.shares[3]!, split.shares[2]!, split.shares[4]!];
      const error = await decodeError(combineShares(shares, split.sealed), 'foreign-share');
      expect(error.positions).toEqual([1]);
      expect(error.message).toContain(`shares[1] (share 4 of 5) belongs to split ${other.splitId}`);
      expect(error.message).toContain(`the sealed value is split ${split.splitId}`);
      expectNoLeak(error, split);
      expectNoLeak(error, other);
    });

    it('names every share of the other split, even when they are the majority', async () => {
      const shares = [other.shares[0]!, other.shares[1]!, split.shares[0]!, other.shares[2]!];
      const error = await decodeError(combineShares(shares, split.sealed), 'foreign-share');
      expect(error.positions).toEqual([0, 1, 3]);
    });

    it('blames the sealed value when it belongs to none of the shares', async () => {
      const error = await decodeError(
        combineShares(split.shares.slice(0, 3), other.sealed),
        'foreign-sealed',
      );
      expect(error.positions).toEqual([]);
      expect(error.message).toContain(other.splitId);
    });

    it('names a share whose header says another threshold', async () => {
      const shares = [split.shares[0]!, split.shares[1]!, withDecodedByte(split.shares[2]!, 17, 2)];
      const error = await decodeError(combineShares(shares, split.sealed), 'foreign-share');
      expect(error.positions).toEqual([2]);
      expect(error.message).toMatch(
        /shares\[2\] \(share 3 of 5\) has a damaged header \(it says 2 of 5, its split is 3 of 5\)/,
      );
    });
  });

  describe('not shares at all', () => {
    it.each([
      ['an empty string', ''],
      ['another format', 'hello'],
      ['an unknown version', 'ks2-share-AAAA'],
      ['non-canonical base64url', `${SHARE_PREFIX}AAAA=`],
      ['the standard base64 alphabet', `${SHARE_PREFIX}+/+/`],
      ['a truncated share', 'TRUNCATE'],
      ['a share with a byte appended', 'APPEND'],
      ['a version 2 share', 'VERSION2'],
    ])('names a share that is %s', async (_, text) => {
      const good = split.shares[1]!;
      const bad =
        text === 'TRUNCATE'
          ? good.slice(0, -4)
          : text === 'APPEND'
            ? textOf(Buffer.concat([bytesOf(good), Buffer.from([0])]), good)
            : text === 'VERSION2'
              ? withDecodedByte(good, 0, 2)
              : text;
      const error = await decodeError(
        combineShares([split.shares[0]!, bad, split.shares[2]!], split.sealed),
        'malformed-share',
      );
      expect(error.positions).toEqual([1]);
      expect(error.message).toMatch(/^Shares that do not decode: shares\[1\]: /);
      expectNoLeak(error, split);
    });

    it('names every malformed share at once', async () => {
      const error = await decodeError(
        combineShares(['a', split.shares[0]!, 'b', 'c'], split.sealed),
        'malformed-share',
      );
      expect(error.positions).toEqual([0, 2, 3]);
    });

    it('says so when the sealed value is passed as a share, and a share as the sealed value', async () => {
      const asShare = await decodeError(
        combineShares([split.sealed, split.shares[0]!, split.shares[1]!], split.sealed),
        'malformed-share',
      );
      expect(asShare.message).toMatch(/it is the sealed value, not a share/);
      const asSealed = await decodeError(
        combineShares(split.shares.slice(0, 3), split.shares[3]!),
        'malformed-sealed',
      );
      expect(asSealed.message).toMatch(/it is a share, not the sealed value/);
    });

    it.each([
      ['empty', ''],
      ['garbage', 'not sealed'],
      ['only a header', 'HEADER'],
    ])('refuses a sealed value that is %s', async (_, text) => {
      const sealed = text === 'HEADER' ? textOf(bytesOf(split.sealed).subarray(0, 19), split.sealed) : text;
      await decodeError(combineShares(split.shares.slice(0, 3), sealed), 'malformed-sealed');
    });
  });

  it('shows its facts in JSON, never share bytes or the secret', async () => {
    const shares = [split.shares[0]!, other.shares[3]!, split.shares[2]!];
    const error = await decodeError(combineShares(shares, split.sealed), 'foreign-share');
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({
      name: 'ShareDecodeError',
      code: 'DECODE_ERROR',
      problem: 'foreign-share',
      positions: [1],
      suspects: [],
    });
    expectNoLeak(error, split);
  });
});
