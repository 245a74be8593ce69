import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { inspect } from 'node:util';
import { SecretCache, isMysqlAuthError, isPgAuthError } from '../../../lib/cache';
import { SecretNotFoundError, ServiceUnavailableError, ThrottledError } from '../../../lib/errors';
import { FakeSource, arnFor } from '../../support/fake-source';

const TTL = 60_000;

function setup(options: { maxEntries?: number; maxStaleMs?: number } = {}) {
  const source = new FakeSource();
  let now = 1_000_000;
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const cache = new SecretCache(source, {
    ttlMs: TTL,
    refreshAheadMs: 10_000,
    maxStaleMs: 30_000,
    now: clock.now,
    ...options,
  });
  source.put('app/db', 'v1', 'password-1');
  return { source, clock, cache };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('SecretCache', () => {
  describe('single flight (RELIABILITY 14, 15)', () => {
    it('makes exactly one call for 1000 concurrent cold gets', async () => {
      const { source, cache } = setup();
      source.hold();
      const reads = Array.from({ length: 1000 }, () => cache.get('app/db'));
      source.release();
      const values = await Promise.all(reads);
      expect(source.calls).toHaveLength(1);
      expect(new Set(values.map((v) => v.text))).toEqual(new Set(['password-1']));
    });

    it('rejects all 1000 promptly when that call fails, and caches no error', async () => {
      const { source, cache } = setup();
      source.hold();
      source.failNext.push(() => new ThrottledError('slow down'));
      const reads = Array.from({ length: 1000 }, () =>
        cache.get('app/db').then(
          () => 'ok',
          (e: Error) => e.message,
        ),
      );
      source.release();
      expect(new Set(await Promise.all(reads))).toEqual(new Set(['slow down']));
      expect(source.calls).toHaveLength(1);
      await expect(cache.get('app/db')).resolves.toMatchObject({ text: 'password-1' });
      expect(source.calls).toHaveLength(2);
    });

    it('makes one refresh for 1000 concurrent gets after expiry', async () => {
      const { source, clock, cache } = setup();
      await cache.get('app/db');
      source.put('app/db', 'v2', 'password-2');
      clock.advance(TTL + 1);
      source.hold();
      const reads = Array.from({ length: 1000 }, () => cache.get('app/db'));
      source.release();
      expect(new Set((await Promise.all(reads)).map((v) => v.text))).toEqual(new Set(['password-2']));
      expect(source.calls).toHaveLength(2);
    });

    it('refreshes ahead in the background, once, while serving at once', async () => {
      const { source, clock, cache } = setup();
      await cache.get('app/db');
      source.put('app/db', 'v2', 'password-2');
      clock.advance(TTL - 5_000);
      source.hold();
      const served = await Promise.all(Array.from({ length: 100 }, () => cache.get('app/db')));
      expect(new Set(served.map((v) => v.text))).toEqual(new Set(['password-1']));
      expect(source.calls).toHaveLength(2);
      source.release();
      await flush();
      await expect(cache.get('app/db')).resolves.toMatchObject({ text: 'password-2' });
      expect(cache.stats()).toMatchObject({ refreshes: 1 });
    });

    it('serves a hit without any call', async () => {
      const { source, cache } = setup();
      await cache.get('app/db');
      await cache.get('app/db');
      expect(source.calls).toHaveLength(1);
      expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 });
    });
  });

  describe('stale-if-error (RELIABILITY 16)', () => {
    it('serves the last good value while refreshes are throttled, up to maxStale, then fails typed', async () => {
      const { source, clock, cache } = setup();
      await cache.get('app/db');
      source.failAlways = () => new ThrottledError('Rate exceeded');
      clock.advance(TTL + 1);
      await expect(cache.get('app/db')).resolves.toMatchObject({ text: 'password-1' });
      clock.advance(29_000);
      await expect(cache.get('app/db')).resolves.toMatchObject({ text: 'password-1' });
      clock.advance(1_000);
      await expect(cache.get('app/db')).rejects.toBeInstanceOf(ThrottledError);
      expect(cache.stats().staleServes).toBe(2);
    });

    it('serves stale through a 5xx too', async () => {
      const { source, clock, cache } = setup();
      await cache.get('app/db');
      source.failNext.push(() => new ServiceUnavailableError('503'));
      clock.advance(TTL + 1);
      await expect(cache.get('app/db')).resolves.toMatchObject({ text: 'password-1' });
    });

    it('answers stale reads at once after the first failure, retrying at most once a second', async () => {
      const { source, clock, cache } = setup();
      await cache.get('app/db');
      source.failAlways = () => new ThrottledError('Rate exceeded');
      clock.advance(TTL + 1);
      await expect(cache.get('app/db')).resolves.toMatchObject({ text: 'password-1' });
      expect(source.calls).toHaveLength(2);
      // The backend now hangs: stale readers must not queue behind it.
      source.hold();
      const served = await Promise.all(Array.from({ length: 100 }, () => cache.get('app/db')));
      expect(new Set(served.map((v) => v.text))).toEqual(new Set(['password-1']));
      expect(source.calls).toHaveLength(2);
      clock.advance(999);
      await cache.get('app/db');
      expect(source.calls).toHaveLength(2);
      clock.advance(1);
      await Promise.all(Array.from({ length: 100 }, () => cache.get('app/db')));
      expect(source.calls).toHaveLength(3);
      // The retry is still hanging: later reads neither wait for it nor start another.
      clock.advance(5_000);
      await cache.get('app/db');
      expect(source.calls).toHaveLength(3);
      source.failAlways = undefined;
      source.put('app/db', 'v2', 'password-2');
      source.release();
      await flush();
      clock.advance(1);
      await expect(cache.get('app/db')).resolves.toMatchObject({ text: 'password-2' });
    });

    it('stops serving stale once a retry says the secret is gone', async () => {
      const { source, clock, cache } = setup();
      await cache.get('app/db');
      source.failNext.push(() => new ThrottledError('Rate exceeded'));
      clock.advance(TTL + 1);
      await expect(cache.get('app/db')).resolves.toMatchObject({ text: 'password-1' });
      source.failNext.push(() => new SecretNotFoundError('deleted'));
      clock.advance(1_000);
      await expect(cache.get('app/db')).resolves.toMatchObject({ text: 'password-1' });
      await flush();
      source.failNext.push(() => new SecretNotFoundError('deleted'));
      await expect(cache.get('app/db')).rejects.toBeInstanceOf(SecretNotFoundError);
    });

    it('never serves stale when the secret is gone or denied', async () => {
      const { source, clock, cache } = setup();
      await cache.get('app/db');
      source.failNext.push(() => new SecretNotFoundError('deleted'));
      clock.advance(TTL + 1);
      await expect(cache.get('app/db')).rejects.toBeInstanceOf(SecretNotFoundError);
    });
  });

  describe('withSecret (RELIABILITY 17)', () => {
    const authError = Object.assign(new Error('password authentication failed'), { code: '28P01' });

    it('refreshes once for all callers that saw the old version, then retries once', async () => {
      const { source, cache } = setup();
      await cache.get('app/db');
      source.put('app/db', 'v2', 'password-2');
      const used: string[] = [];
      const login = async (secret: { text?: string }) => {
        used.push(secret.text!);
        if (secret.text === 'password-1') throw authError;
        return 'connected';
      };
      const results = await Promise.all(Array.from({ length: 50 }, () => cache.withSecret('app/db', login)));
      expect(new Set(results)).toEqual(new Set(['connected']));
      expect(source.calls).toHaveLength(2);
      expect(used.filter((p) => p === 'password-2')).toHaveLength(50);
    });

    it('surfaces a second auth failure', async () => {
      const { cache } = setup();
      let attempts = 0;
      const failing = async () => {
        attempts++;
        throw authError;
      };
      await expect(cache.withSecret('app/db', failing)).rejects.toBe(authError);
      expect(attempts).toBe(2);
    });

    it('does not refresh for other errors', async () => {
      const { source, cache } = setup();
      const boom = new Error('syntax error');
      await expect(cache.withSecret('app/db', async () => Promise.reject(boom))).rejects.toBe(boom);
      expect(source.calls).toHaveLength(1);
    });

    it('recognises pg and mysql2 authentication errors only', () => {
      expect(isPgAuthError({ code: '28P01' })).toBe(true);
      expect(isPgAuthError({ code: '57P01' })).toBe(false);
      expect(isMysqlAuthError({ code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 })).toBe(true);
      expect(isMysqlAuthError({ code: 'ECONNREFUSED' })).toBe(false);
      expect(isMysqlAuthError(undefined)).toBe(false);
    });
  });

  describe('keys (RELIABILITY 18)', () => {
    it('shares one entry between name, full ARN and partial ARN', async () => {
      const { source, cache } = setup();
      await cache.get('app/db');
      await cache.get(arnFor('app/db'));
      await cache.get(arnFor('app/db').slice(0, -7));
      expect(source.calls).toHaveLength(1);
      expect(cache.stats().size).toBe(1);
    });

    it('never lets two secrets share an entry', async () => {
      const { source, cache } = setup();
      source.put('app/db-2', 'w1', 'other');
      expect((await cache.get('app/db')).text).toBe('password-1');
      expect((await cache.get('app/db-2')).text).toBe('other');
      expect(cache.stats().size).toBe(2);
    });

    it('keeps stages and versions apart, and AWSPENDING never fills AWSCURRENT', async () => {
      const { source, cache } = setup();
      source.put('app/db', 'v2', 'pending-value', ['AWSPENDING']);
      expect((await cache.get('app/db', { versionStage: 'AWSPENDING' })).text).toBe('pending-value');
      expect((await cache.get('app/db')).text).toBe('password-1');
      expect((await cache.get('app/db', { versionId: 'v2' })).text).toBe('pending-value');
      expect((await cache.get('app/db', { versionId: 'v1' })).text).toBe('password-1');
      // Both versions were learned by VersionId from the label reads: values never go stale.
      expect(source.calls).toHaveLength(2);
    });

    it('invalidates on a label event, by either ARN key spelling', async () => {
      const { source, cache } = setup();
      await cache.get('app/db');
      const event = (key: 'arn' | 'aRN') => ({
        'detail-type': 'AWS Service Event via CloudTrail',
        source: 'aws.secretsmanager',
        detail: {
          eventName: 'RotationSucceeded',
          additionalEventData: { [key === 'arn' ? 'SecretId' : 'secretId']: undefined },
          responseElements: { [key]: arnFor('app/db') },
        },
      });
      expect(cache.handleEvent(event('aRN'))).toBe(1);
      await cache.get('app/db');
      expect(cache.handleEvent(event('arn'))).toBe(1);
      expect(
        cache.handleEvent({
          'detail-type': 'Secret Label Updated',
          resources: [arnFor('app/db')],
          detail: {},
        }),
      ).toBe(0);
      await cache.get('app/db');
      expect(
        cache.handleEvent({
          'detail-type': 'Secret Label Updated',
          resources: [arnFor('app/db')],
          detail: {},
        }),
      ).toBe(1);
      await cache.get('app/db');
      expect(
        cache.handleEvent({
          'detail-type': 'Secret Label Updated',
          detail: { name: 'app/db', labelUpdated: 'AWSCURRENT', versionId: 'v2' },
        }),
      ).toBe(1);
      expect(cache.handleEvent({ 'detail-type': 'Something Else', detail: {} })).toBe(0);
      expect(source.calls).toHaveLength(4);
    });
  });

  describe('invalidation races', () => {
    it('returns a cold read that an invalidation overtook, but does not keep it', async () => {
      const { source, cache } = setup();
      source.hold();
      const read = cache.get('app/db');
      cache.invalidate('app/db');
      source.release();
      await expect(read).resolves.toMatchObject({ text: 'password-1' });
      source.put('app/db', 'v2', 'password-2');
      await expect(cache.get('app/db')).resolves.toMatchObject({ text: 'password-2' });
      expect(source.calls).toHaveLength(2);
    });

    it('does not keep a refresh that started before a clear', async () => {
      const { source, clock, cache } = setup();
      await cache.get('app/db');
      clock.advance(TTL + 1);
      source.hold();
      const read = cache.get('app/db');
      cache.clear();
      source.release();
      await read;
      expect(cache.stats().size).toBe(0);
    });

    it('keeps a batch only if nothing was invalidated while it ran', async () => {
      const { source, cache } = setup();
      const stale = new Map([['app/db', await source.fetch('app/db', {})]]);
      const epoch = cache.epoch();
      cache.invalidate('app/db');
      cache.remember(stale, epoch);
      expect(cache.stats().size).toBe(0);
      cache.remember(stale, cache.epoch());
      expect(cache.stats().size).toBe(1);
      cache.remember(
        new Map([['other', { arn: '', name: 'other', versionId: '', text: 'x', binary: undefined }]]),
        cache.epoch(),
      );
      expect(cache.stats().size).toBe(1);
    });
  });

  describe('bounds (RELIABILITY 19)', () => {
    it('keeps at most maxEntries for 10^5 distinct ids and starts no timer', async () => {
      const { source, cache } = setup({ maxEntries: 1000 });
      const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      for (let i = 0; i < 100_000; i++) source.put(`s${i}`, 'v', 'x');
      for (let i = 0; i < 100_000; i++) await cache.get(`s${i}`);
      expect(cache.stats()).toMatchObject({ size: 1000, evictions: 99_000 });
      expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(timersBefore);
    });

    it('keeps the heap flat once full: another 10^5 ids add no retained memory', async () => {
      setFlagsFromString('--expose_gc');
      const gc = runInNewContext('gc') as () => void;
      const { source, cache } = setup({ maxEntries: 1000 });
      for (let i = 0; i < 200_000; i++) source.put(`h${i}`, 'v', 'x'.repeat(100));
      for (let i = 0; i < 100_000; i++) await cache.get(`h${i}`);
      source.calls.length = 0; // the fake's own call log is not the cache's memory
      gc();
      const full = process.memoryUsage().heapUsed;
      for (let i = 100_000; i < 200_000; i++) await cache.get(`h${i}`);
      source.calls.length = 0;
      gc();
      const after = process.memoryUsage().heapUsed;
      expect(cache.stats().size).toBe(1000);
      // 10^5 more entries would be tens of MB if kept; allow noise of a few MB.
      expect(after - full).toBeLessThan(4 * 1024 * 1024);
    });

    it('evicts the least recently used secret', async () => {
      const { source, cache } = setup({ maxEntries: 2 });
      source.put('b', 'v', 'b');
      source.put('c', 'v', 'c');
      await cache.get('app/db');
      await cache.get('b');
      await cache.get('app/db');
      await cache.get('c');
      await cache.get('app/db');
      await cache.get('b');
      expect(source.calls.map((c) => c.id)).toEqual(['app/db', 'b', 'c', 'b']);
    });
  });

  describe('configuration (RELIABILITY 20)', () => {
    it.each([
      [{ ttlMs: 0 }, 'ttlMs'],
      [{ ttlMs: -1 }, 'ttlMs'],
      [{ ttlMs: NaN }, 'ttlMs'],
      [{ ttlMs: Infinity }, 'ttlMs'],
      [{ ttlMs: 2 ** 31 }, 'ttlMs'],
      [{ maxStaleMs: 0 }, 'maxStaleMs'],
      [{ maxStaleMs: 2 ** 31 }, 'maxStaleMs'],
      [{ refreshAheadMs: 300_000 }, 'refreshAheadMs'],
      [{ maxEntries: 0 }, 'maxEntries'],
      [{ maxEntries: 1.5 }, 'maxEntries'],
    ])('rejects %p', (options, field) => {
      expect(() => new SecretCache(new FakeSource(), options)).toThrow(
        expect.objectContaining({ code: 'VALIDATION_ERROR', field }),
      );
    });
  });

  describe('values stay private (RELIABILITY 21)', () => {
    it('shows counters only in JSON and inspect', async () => {
      const { cache } = setup();
      await cache.get('app/db');
      expect(JSON.stringify(cache)).not.toContain('password-1');
      expect(inspect(cache, { depth: 10, showHidden: true })).not.toContain('password-1');
      expect(JSON.parse(JSON.stringify(cache))).toMatchObject({ size: 1, misses: 1 });
    });

    it('parses JSON once per version and freezes it', async () => {
      const { source, cache } = setup();
      source.put('cfg', 'v', '{"a":{"b":1}}');
      const version = await cache.get('cfg');
      const first = cache.json(version) as { a: { b: number } };
      expect(cache.json(version)).toBe(first);
      expect(Object.isFrozen(first.a)).toBe(true);
    });
  });

  it('prefetches in batches and skips what is fresh', async () => {
    const { source, cache } = setup();
    for (let i = 0; i < 100; i++) source.put(`p${i}`, 'v', `x${i}`);
    await cache.get('p0');
    const errors = await cache.prefetch([...Array.from({ length: 100 }, (_, i) => `p${i}`), 'missing']);
    expect(source.batchCalls).toBe(5);
    expect(errors.get('missing')?.code).toBe('SECRET_NOT_FOUND');
    const callsBefore = source.calls.length;
    await cache.get('p99');
    expect(source.calls).toHaveLength(callsBefore);
  });

  it('refuses reads after close', async () => {
    const { cache } = setup();
    cache.close();
    await expect(cache.get('app/db')).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
