import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { inspect } from 'node:util';
import {
  SecretCache,
  isMysqlAuthError,
  isPgAuthError,
  type FetchedSecret,
  type SecretCacheOptions,
  type SecretSource,
} from '../../../lib/cache';
import { SecretNotFoundError, ServiceUnavailableError, ThrottledError } from '../../../lib/errors';
import { FakeSource, arnFor } from '../../support/fake-source';

const TTL = 60_000;

function setup(options: SecretCacheOptions = {}) {
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

    it('answers stale reads at once after the first failure, retrying after a backoff of up to a second', async () => {
      // The largest jitter the backoff may draw, so the retry's time is exact.
      const { source, clock, cache } = setup({ randomInt: (max) => max - 1 });
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

  describe('invalidation is per secret', () => {
    it('keeps a read of one secret that an invalidation of another overtook', async () => {
      const { source, cache } = setup();
      source.hold();
      const read = cache.get('app/db');
      cache.invalidate('app/other');
      source.release();
      await read;
      await cache.get('app/db');
      expect(source.calls).toHaveLength(1);
    });

    it('keeps hot reads of one secret hitting while another is invalidated every 10 ms', async () => {
      const { source, clock, cache } = setup();
      source.put('app/other', 'w1', 'other');
      await cache.get('app/db');
      await cache.get('app/other');
      clock.advance(TTL - 5_000); // in the refresh-ahead window: the next read refreshes
      source.hold();
      const reads: Array<Promise<unknown>> = [];
      for (let i = 0; i < 88; i++) {
        reads.push(cache.get('app/db'));
        cache.invalidate('app/other');
        clock.advance(10);
      }
      source.release();
      await Promise.all(reads);
      await flush();
      for (let i = 0; i < 88; i++) await cache.get('app/db');
      // The two first reads and one refresh: the refresh was kept, so nothing else fetched.
      expect(source.calls).toHaveLength(3);
    });

    it('does not keep a read in flight by name when the secret is invalidated by its ARN', async () => {
      const { source, cache } = setup();
      source.hold();
      const read = cache.get('app/db');
      cache.invalidate(arnFor('app/db'));
      source.release();
      await read;
      await cache.get('app/db');
      expect(source.calls).toHaveLength(2);
    });

    it('keeps the rest of a batch when one of its secrets was invalidated while it ran', async () => {
      const { source, cache } = setup();
      source.put('app/db-2', 'w1', 'other');
      const values = new Map([
        ['app/db', await source.fetch('app/db', {})],
        ['app/db-2', await source.fetch('app/db-2', {})],
      ]);
      source.calls.length = 0;
      const epoch = cache.epoch();
      cache.invalidate('app/db');
      cache.remember(values, epoch);
      await cache.get('app/db-2');
      expect(source.calls).toHaveLength(0);
      await cache.get('app/db');
      expect(source.calls).toHaveLength(1);
    });

    it('keeps the rest of a prefetch when one of its secrets was invalidated while it ran', async () => {
      const { source, cache } = setup();
      source.put('app/db-2', 'w1', 'other');
      source.hold();
      const prefetch = cache.prefetch(['app/db', 'app/db-2']);
      cache.invalidate('app/db');
      source.release();
      await prefetch;
      expect(cache.stats().size).toBe(1);
      await cache.get('app/db-2');
      expect(source.calls).toHaveLength(0);
    });

    it('treats a read older than the last 1024 invalidations as overtaken', async () => {
      const { source, cache } = setup();
      source.hold();
      const read = cache.get('app/db');
      for (let i = 0; i < 1025; i++) cache.invalidate(`other/${i}`);
      source.release();
      await read;
      await cache.get('app/db');
      await cache.get('app/db');
      // Not kept (the log forgot which secrets the oldest invalidation was about); the read after it is.
      expect(source.calls).toHaveLength(2);
    });
  });

  describe('refresh backoff', () => {
    const throttled = () => new ThrottledError('Rate exceeded');

    it('backs off a failed refresh-ahead instead of retrying on every read', async () => {
      const { source, clock, cache } = setup({ randomInt: (max) => max - 1 });
      await cache.get('app/db');
      source.failAlways = throttled;
      clock.advance(TTL - 5_000);
      for (let i = 0; i < 100; i++) {
        await expect(cache.get('app/db')).resolves.toMatchObject({ text: 'password-1' });
        await flush();
      }
      expect(source.calls).toHaveLength(2);
      clock.advance(999);
      await cache.get('app/db');
      await flush();
      expect(source.calls).toHaveLength(2);
      clock.advance(1);
      await cache.get('app/db');
      await flush();
      expect(source.calls).toHaveLength(3);
    });

    it('doubles the delay bound after each failure, up to 30 s, and draws the delay from it', async () => {
      const bounds: number[] = [];
      const { source, clock, cache } = setup({
        maxStaleMs: 600_000,
        randomInt: (max) => {
          bounds.push(max);
          return max - 1;
        },
      });
      bounds.length = 0; // the hash seed's draw
      await cache.get('app/db');
      source.failAlways = throttled;
      clock.advance(TTL + 1);
      await cache.get('app/db');
      for (let i = 0; i < 6; i++) {
        clock.advance(bounds.at(-1)! - 1);
        await cache.get('app/db');
        await flush();
      }
      expect(bounds).toEqual([1001, 2001, 4001, 8001, 16001, 30001, 30001]);
      expect(source.calls).toHaveLength(8);
    });

    it('retries on the next read when the jitter draws 0 (full jitter)', async () => {
      const { source, clock, cache } = setup({ randomInt: () => 0 });
      await cache.get('app/db');
      source.failAlways = throttled;
      clock.advance(TTL + 1);
      for (let i = 0; i < 3; i++) {
        await cache.get('app/db');
        await flush();
      }
      expect(source.calls).toHaveLength(4);
    });

    it('starts over from the shortest delay after a success', async () => {
      const bounds: number[] = [];
      const { source, clock, cache } = setup({
        randomInt: (max) => {
          bounds.push(max);
          return max - 1;
        },
      });
      bounds.length = 0;
      await cache.get('app/db');
      source.failAlways = throttled;
      clock.advance(TTL + 1);
      await cache.get('app/db');
      clock.advance(1_000);
      await cache.get('app/db');
      await flush();
      source.failAlways = undefined;
      clock.advance(2_000);
      await cache.get('app/db');
      await flush();
      source.failAlways = throttled;
      clock.advance(TTL + 1);
      await cache.get('app/db');
      expect(bounds).toEqual([1001, 2001, 1001]);
    });

    it('with the default jitter from node:crypto, retries within a second of the first failure', async () => {
      const { source, clock, cache } = setup();
      await cache.get('app/db');
      source.failAlways = throttled;
      clock.advance(TTL + 1);
      await cache.get('app/db');
      clock.advance(1_000);
      await cache.get('app/db');
      await flush();
      expect(source.calls).toHaveLength(3);
    });
  });

  describe('eviction (W-TinyLFU admission)', () => {
    /** A seeded generator for test traces (mulberry32); tests need the same trace every run. */
    function seeded(seed: number): () => number {
      let state = seed >>> 0;
      return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }

    it('keeps about maxEntries of a cyclic scan of 10 × maxEntries secrets hitting', async () => {
      const { source, cache } = setup({ maxEntries: 100 });
      const ids = Array.from({ length: 1000 }, (_, i) => `scan/${i}`);
      for (const id of ids) source.put(id, 'v', 'x');
      for (const id of ids) await cache.get(id);
      const before = cache.stats().hits;
      for (let pass = 0; pass < 9; pass++) for (const id of ids) await cache.get(id);
      // At most 99 of each 1000 can hit (one slot is the admission window); LRU gets none.
      expect((cache.stats().hits - before) / 9000).toBeGreaterThan(0.08);
    });

    it('hits at least as often as LRU on a skewed (Zipf s=1) workload', async () => {
      const { source, cache } = setup({ maxEntries: 100 });
      const ids = Array.from({ length: 1000 }, (_, i) => `zipf/${i}`);
      for (const id of ids) source.put(id, 'v', 'x');
      const weights = ids.map((_, k) => 1 / (k + 1));
      const total = weights.reduce((a, b) => a + b);
      const random = seeded(7);
      const trace = Array.from({ length: 30_000 }, () => {
        let u = random() * total;
        let k = 0;
        while (u > weights[k]! && k < ids.length - 1) u -= weights[k++]!;
        return ids[k]!;
      });
      const lru = new Map<string, true>();
      let lruHits = 0;
      for (const id of trace) {
        if (lru.delete(id)) lruHits++;
        else if (lru.size >= 100) lru.delete(lru.keys().next().value as string);
        lru.set(id, true);
      }
      for (const id of trace) await cache.get(id);
      expect(cache.stats().hits).toBeGreaterThanOrEqual(lruHits);
    });

    it('keeps secrets read often through a scan of secrets read once', async () => {
      const { source, cache } = setup({ maxEntries: 100 });
      const hot = Array.from({ length: 90 }, (_, i) => `hot/${i}`);
      const cold = Array.from({ length: 1000 }, (_, i) => `cold/${i}`);
      for (const id of [...hot, ...cold]) source.put(id, 'v', 'x');
      for (let round = 0; round < 3; round++) for (const id of hot) await cache.get(id);
      for (const id of cold) await cache.get(id);
      const calls = source.calls.length;
      for (const id of hot) await cache.get(id);
      expect(source.calls).toHaveLength(calls);
    });
  });

  describe('memory (bytes per cached secret)', () => {
    it('holds at most 400 bytes per secret beyond the value, for 2 × 10^4 secrets', async () => {
      setFlagsFromString('--expose_gc');
      const gc = runInNewContext('gc') as () => void;
      const value = 'x'.repeat(1024);
      // Answers parsed from JSON, as the SDK's are: a fresh ARN and VersionId per secret.
      const source: SecretSource = {
        fetch: async (id) => ({
          ...(JSON.parse(
            `{"arn":"${arnFor(id)}","name":"${id}","versionId":"${id.length}-0f6c5a1e-8d3b-4e2f-9a7c-1b2d3e4f5a6b"}`,
          ) as Pick<FetchedSecret, 'arn' | 'name' | 'versionId'>),
          text: value,
          binary: undefined,
        }),
        fetchMany: async () => ({ values: new Map(), errors: new Map() }),
      };
      const cache = new SecretCache(source, { maxEntries: 40_000 });
      const ids = Array.from({ length: 20_000 }, (_, i) => `mem/${i}`);
      gc();
      const before = process.memoryUsage().heapUsed;
      for (const id of ids) await cache.get(id);
      gc();
      const perSecret = (process.memoryUsage().heapUsed - before) / ids.length;
      expect(cache.stats().size).toBe(ids.length);
      expect(perSecret).toBeLessThan(400);
    });
  });

  describe('clock', () => {
    it('keeps expiry right across a clock jump of more than 2^30 ms (cache time moves its base)', async () => {
      const { source, clock, cache } = setup();
      source.put('app/db-2', 'w1', 'other');
      await cache.get('app/db-2');
      clock.advance(2 ** 30 + 5);
      await cache.get('app/db');
      clock.advance(1_000);
      await cache.get('app/db');
      await cache.get('app/db-2');
      clock.advance(TTL + 1);
      await cache.get('app/db');
      expect(source.calls.map((call) => call.id)).toEqual([
        'app/db-2',
        'app/db',
        arnFor('app/db-2'),
        arnFor('app/db'),
      ]);
    });
  });

  describe('keys across accounts', () => {
    it('never answers another account’s ARN with the cached secret of the same name', async () => {
      const theirs = 'arn:aws:secretsmanager:us-east-1:999999999999:secret:app/db-XyZ123';
      const calls: string[] = [];
      const source: SecretSource = {
        fetch: async (id) => {
          calls.push(id);
          const other = id === theirs;
          return {
            arn: other ? theirs : arnFor('app/db'),
            name: 'app/db',
            versionId: other ? 'theirs' : 'ours',
            text: other ? 'their-password' : 'our-password',
            binary: undefined,
          };
        },
        fetchMany: async () => ({ values: new Map(), errors: new Map() }),
      };
      const cache = new SecretCache(source);
      expect((await cache.get('app/db')).text).toBe('our-password');
      expect((await cache.get(theirs)).text).toBe('their-password');
      expect((await cache.get('app/db')).text).toBe('our-password');
      expect((await cache.get(theirs)).text).toBe('their-password');
      expect(calls).toEqual(['app/db', theirs]);
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
