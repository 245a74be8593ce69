import { InProcessRateLimitStore } from '../../../lib/policy/rate-limit-in-process';
import { RATE_LIMIT_WINDOW_MS, rateLimitKey } from '../../../lib/policy/rate-limit-store';

const HOUR = RATE_LIMIT_WINDOW_MS;
const T0 = Date.UTC(2026, 0, 1);

/** Takes `n` requests at `now`, answering what each got. */
function takeMany(
  store: InProcessRateLimitStore,
  key: string,
  n: number,
  limit: number,
  now: number,
): number[] {
  return Array.from({ length: n }, () => store.take(key, limit, HOUR, now));
}

describe('InProcessRateLimitStore', () => {
  describe('take', () => {
    it('lets a full bucket of `limit` requests through at once, then refuses', () => {
      const store = new InProcessRateLimitStore();
      const answers = takeMany(store, 'k', 11, 10, T0);
      expect(answers.slice(0, 10)).toEqual(Array(10).fill(0));
      expect(answers[10]).toBeGreaterThan(0);
    });

    it('answers the exact wait for one request to refill', () => {
      const store = new InProcessRateLimitStore();
      takeMany(store, 'k', 10, 10, T0);
      expect(store.take('k', 10, HOUR, T0)).toBe(HOUR / 10);
      expect(store.take('k', 10, HOUR, T0 + 1_000)).toBe(HOUR / 10 - 1_000);
    });

    it('lets a request through exactly when the wait it was told has passed', () => {
      const store = new InProcessRateLimitStore();
      takeMany(store, 'k', 3, 3, T0);
      const wait = store.take('k', 3, HOUR, T0 + 5);
      expect(store.take('k', 3, HOUR, T0 + 5 + wait - 1)).toBe(1);
      expect(store.take('k', 3, HOUR, T0 + 5 + wait)).toBe(0);
    });

    it('does not count refused requests', () => {
      const store = new InProcessRateLimitStore();
      takeMany(store, 'k', 2, 2, T0);
      takeMany(store, 'k', 50, 2, T0);
      expect(store.take('k', 2, HOUR, T0 + HOUR / 2)).toBe(0);
    });

    it('refills at the limit’s rate: over four hours at most the burst plus four hours’ worth', () => {
      const store = new InProcessRateLimitStore();
      let allowed = 0;
      for (let t = 0; t <= 4 * HOUR; t += 1_000) allowed += store.take('k', 60, HOUR, T0 + t) === 0 ? 1 : 0;
      expect(allowed).toBe(60 + 4 * 60);
    });

    it.each([7, 3, 13, 1_000, 3_599])(
      'lets a burst of exactly %i through where the interval is fractional',
      (limit) => {
        const store = new InProcessRateLimitStore();
        const answers = takeMany(store, 'k', limit + 1, limit, T0);
        expect(answers.filter((wait) => wait === 0)).toHaveLength(limit);
        // The interval is kept in whole microseconds, rounded down: within a few ms of hour / limit.
        expect(answers[limit]).toBeGreaterThan(Math.ceil(HOUR / limit) - 5);
        expect(answers[limit]).toBeLessThanOrEqual(Math.ceil(HOUR / limit));
      },
    );

    it('keeps buckets apart by key', () => {
      const store = new InProcessRateLimitStore();
      takeMany(store, 'a', 1, 1, T0);
      expect(store.take('a', 1, HOUR, T0)).toBeGreaterThan(0);
      expect(store.take('b', 1, HOUR, T0)).toBe(0);
    });

    it('refuses everything for a limit below one, with a window’s wait', () => {
      expect(new InProcessRateLimitStore().take('k', 0, HOUR, T0)).toBe(HOUR);
    });
  });

  describe('memory', () => {
    it('holds at most maxKeys buckets for 10^5 principals, dropping the least recently used', () => {
      const store = new InProcessRateLimitStore({ maxKeys: 10_000 });
      for (let i = 0; i < 100_000; i++) store.take(`principal-${i}`, 100, HOUR, T0);
      expect(store.size).toBe(10_000);
      expect(store.evictedActive).toBe(90_000);
      // The most recent are the ones kept: principal-99999 has used one of its 100.
      takeMany(store, 'principal-99999', 99, 100, T0);
      expect(store.take('principal-99999', 100, HOUR, T0)).toBeGreaterThan(0);
    });

    it('keeps a bucket still in use, even refused, over older ones', () => {
      const store = new InProcessRateLimitStore({ maxKeys: 2 });
      store.take('hot', 1, HOUR, T0);
      store.take('a', 1, HOUR, T0);
      store.take('hot', 1, HOUR, T0);
      store.take('b', 1, HOUR, T0);
      expect(store.take('hot', 1, HOUR, T0)).toBeGreaterThan(0);
    });

    it('drops buckets unused for two windows, which have all refilled', () => {
      const store = new InProcessRateLimitStore();
      for (let i = 0; i < 100_000; i++) store.take(`principal-${i}`, 100, HOUR, T0);
      expect(store.size).toBe(100_000);
      store.take('one-hour-later', 100, HOUR, T0 + HOUR);
      store.take('two-hours-later', 100, HOUR, T0 + 2 * HOUR);
      expect(store.size).toBe(2);
      expect(store.evictedActive).toBe(0);
    });

    it('keeps a bucket that has not refilled', () => {
      const store = new InProcessRateLimitStore({ maxKeys: 4 });
      takeMany(store, 'busy', 10, 10, T0);
      store.take('other', 10, HOUR, T0 + HOUR / 2);
      // Half an hour refilled half the bucket, not all of it.
      const answers = takeMany(store, 'busy', 6, 10, T0 + HOUR / 2);
      expect(answers.filter((wait) => wait === 0)).toHaveLength(5);
    });

    it('forgets everything on clear', () => {
      const store = new InProcessRateLimitStore();
      takeMany(store, 'k', 1, 1, T0);
      store.clear();
      expect(store.size).toBe(0);
      expect(store.take('k', 1, HOUR, T0)).toBe(0);
    });
  });

  describe('constructor', () => {
    it('refuses a maxKeys that is not a positive integer', () => {
      expect(() => new InProcessRateLimitStore({ maxKeys: 1.5 })).toThrow(
        expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'maxKeys' }),
      );
    });
  });
});

describe('rateLimitKey', () => {
  it('keeps rule and principal apart whatever they contain', () => {
    expect(rateLimitKey('a:b', 'c')).not.toBe(rateLimitKey('a', 'b:c'));
    expect(rateLimitKey('ci-reads', 'build-42')).toBe('8:ci-reads:build-42');
  });
});
