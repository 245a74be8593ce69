import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { RotationWatcher, type SecretChange } from '../../../../lib/injection';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { uniqueName, watchedLocal, type WatchedLocal } from './watcher-fixture';

let local: LocalFixture;
beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());

const MINUTE = 60_000;

/** A watcher over a counted client with the manual clock and no jitter, so polls fall on the minute. */
function setup(options: ConstructorParameters<typeof RotationWatcher>[1] = {}): {
  readonly t: WatchedLocal;
  readonly watcher: RotationWatcher;
  readonly advance: (ms: number) => Promise<void>;
  readonly describes: () => number;
} {
  const t = watchedLocal(local);
  const watcher = new RotationWatcher(t.client, { clock: t.clock, jitter: 0, ...options });
  return {
    t,
    watcher,
    advance: (ms) => t.clock.advance(ms, () => watcher.settled()),
    describes: () => t.calls.get('DescribeSecret') ?? 0,
  };
}

describe('RotationWatcher', () => {
  describe('polling', () => {
    it('makes one DescribeSecret per secret per interval, however many listeners', async () => {
      const { t, watcher, advance, describes } = setup();
      const name = uniqueName('many');
      await t.create(name, 'value-1');
      for (let i = 0; i < 50; i++) watcher.watch(name, () => undefined);
      await watcher.ready(name);
      expect(describes()).toBe(1);
      await advance(10 * MINUTE);
      expect(describes()).toBe(11);
      // The poll is DescribeSecret alone: no ListSecretVersionIds, no value read.
      expect([...t.calls.keys()]).toEqual(['DescribeSecret']);
      expect(watcher.stats()).toMatchObject({ watched: 1, listeners: 50, polls: 11, errors: 0 });
      watcher.close();
    });

    it('polls a secret watched by name and by ARN once per interval', async () => {
      const { t, watcher, advance, describes } = setup();
      const name = uniqueName('two-ids');
      const { arn } = await t.create(name, 'value-1');
      watcher.watch(name, () => undefined);
      watcher.watch(arn, () => undefined);
      await watcher.settled();
      // Each id is polled once before the watcher knows they are one secret.
      expect(describes()).toBe(2);
      await advance(10 * MINUTE);
      expect(describes()).toBe(12);
      expect(watcher.stats()).toMatchObject({ watched: 1, listeners: 2 });
      watcher.close();
    });

    it('polls each secret on its own, many secrets at once', async () => {
      const { t, watcher, advance, describes } = setup();
      const names = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const name = uniqueName(`fleet-${i}`);
          await t.create(name, 'value');
          return name;
        }),
      );
      for (const name of names) for (let c = 0; c < 5; c++) watcher.watch(name, () => undefined);
      await advance(5 * MINUTE);
      expect(describes()).toBe(20 * 6);
      watcher.close();
    });

    it('stops polling a secret when its last listener unsubscribes', async () => {
      const { t, watcher, advance, describes } = setup();
      const name = uniqueName('unsubscribe');
      await t.create(name, 'value-1');
      const first = watcher.watch(name, () => undefined);
      const second = watcher.watch(name, () => undefined);
      await advance(MINUTE);
      first();
      first(); // twice is once
      await advance(MINUTE);
      expect(describes()).toBe(3);
      second();
      await advance(10 * MINUTE);
      expect(describes()).toBe(3);
      expect(watcher.stats()).toMatchObject({ watched: 0, listeners: 0 });
      expect(t.clock.pending).toBe(0);
      watcher.close();
    });

    it('spreads its waits by the jitter, averaging the interval', async () => {
      const { t, watcher, advance } = setup({ jitter: 0.1 });
      const name = uniqueName('jitter');
      await t.create(name, 'value-1');
      watcher.watch(name, () => undefined);
      await advance(200 * MINUTE);
      const waits = t.clock.sleeps;
      expect(waits.length).toBeGreaterThan(150);
      for (const wait of waits) {
        expect(wait).toBeGreaterThanOrEqual(0.9 * MINUTE);
        expect(wait).toBeLessThanOrEqual(1.1 * MINUTE);
      }
      const mean = waits.reduce((sum, wait) => sum + wait, 0) / waits.length;
      expect(Math.abs(mean - MINUTE)).toBeLessThan(0.02 * MINUTE);
      expect(new Set(waits.map(Math.round)).size).toBeGreaterThan(100);
      watcher.close();
    });
  });

  describe('changes', () => {
    it('tells listeners within one interval that AWSCURRENT moved, after the cache forgot the old value', async () => {
      const { t, watcher, advance } = setup();
      const name = uniqueName('rotated');
      const { arn, versionId: v1 } = await t.create(name, 'old-value');
      expect(await t.client.get(name)).toBe('old-value'); // now cached for five minutes
      const seen: Array<{ change: SecretChange; value: string }> = [];
      watcher.watch(name, async (change) => {
        seen.push({ change, value: await t.client.get(name) });
      });
      await watcher.ready(name);
      const v2 = await t.rotate(name, 'new-value');
      await advance(MINUTE - 1);
      expect(seen).toEqual([]);
      await advance(1);
      expect(seen).toEqual([
        {
          change: { secretId: name, arn, name, previousVersionId: v1, versionId: v2, trigger: 'schedule' },
          value: 'new-value',
        },
      ]);
      expect(watcher.versionOf(name)).toBe(v2);
      expect(watcher.stats().changes).toBe(1);
      watcher.close();
    });

    it('says nothing when only other labels move', async () => {
      const { t, watcher, advance } = setup();
      const name = uniqueName('pending');
      await t.create(name, 'value-1');
      const listener = jest.fn();
      watcher.watch(name, listener);
      await watcher.ready(name);
      await t.writer.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: 'next', VersionStages: ['AWSPENDING'] }),
      );
      await advance(3 * MINUTE);
      expect(listener).not.toHaveBeenCalled();
      expect(watcher.stats().changes).toBe(0);
      watcher.close();
    });

    it('reports a change on the first poll when knownVersionId is older than AWSCURRENT', async () => {
      const { t, watcher } = setup();
      const name = uniqueName('known');
      const { versionId: v1 } = await t.create(name, 'value-1');
      const v2 = await t.rotate(name, 'value-2');
      const told = jest.fn();
      const untold = jest.fn();
      watcher.watch(name, told, { knownVersionId: v1 });
      watcher.watch(name, untold);
      await watcher.settled();
      expect(told).toHaveBeenCalledWith(expect.objectContaining({ previousVersionId: v1, versionId: v2 }));
      expect(untold).not.toHaveBeenCalled();
      watcher.close();
    });

    it('starts a listener added later from the version already polled', async () => {
      const { t, watcher, advance } = setup();
      const name = uniqueName('late');
      const { versionId: v1 } = await t.create(name, 'value-1');
      const early = jest.fn();
      watcher.watch(name, early);
      await watcher.ready(name);
      const v2 = await t.rotate(name, 'value-2');
      const late = jest.fn();
      watcher.watch(name, late);
      await advance(MINUTE);
      for (const listener of [early, late]) {
        expect(listener).toHaveBeenCalledWith(
          expect.objectContaining({ previousVersionId: v1, versionId: v2 }),
        );
      }
      watcher.close();
    });

    it('delivers the changes of one secret one at a time, in order', async () => {
      const { t, watcher, advance } = setup();
      const name = uniqueName('ordered');
      await t.create(name, 'value-1');
      const log: string[] = [];
      let open: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      watcher.watch(name, async (change) => {
        log.push(`start ${change.versionId}`);
        if (log.length === 1) await gate;
        log.push(`end ${change.versionId}`);
      });
      await watcher.ready(name);
      const v2 = await t.rotate(name, 'value-2');
      void advance(MINUTE);
      while (log.length === 0) await new Promise((resolve) => setImmediate(resolve));
      const v3 = await t.rotate(name, 'value-3');
      const later = watcher.refreshNow(name); // waits for the delivery under way
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(log).toEqual([`start ${v2}`]);
      open();
      await expect(later).resolves.toMatchObject({ changed: true, previousVersionId: v2, versionId: v3 });
      expect(log).toEqual([`start ${v2}`, `end ${v2}`, `start ${v3}`, `end ${v3}`]);
      watcher.close();
    });
  });

  describe('refreshNow', () => {
    it('polls at once and tells listeners with trigger manual', async () => {
      const { t, watcher, describes } = setup();
      const name = uniqueName('manual');
      await t.create(name, 'value-1');
      const listener = jest.fn();
      watcher.watch(name, listener);
      await watcher.ready(name);
      await expect(watcher.refreshNow(name)).resolves.toMatchObject({ changed: false });
      const v2 = await t.rotate(name, 'value-2');
      await expect(watcher.refreshNow(name)).resolves.toMatchObject({ changed: true, versionId: v2 });
      expect(listener).toHaveBeenCalledTimes(1);
      expect(listener).toHaveBeenCalledWith(expect.objectContaining({ trigger: 'manual', versionId: v2 }));
      expect(describes()).toBe(3);
      watcher.close();
    });

    it('folds refreshes asked for during a poll into one poll after it', async () => {
      const { t, watcher, describes } = setup();
      const name = uniqueName('coalesce');
      await t.create(name, 'value-1');
      watcher.watch(name, () => undefined);
      await watcher.ready(name);
      const results = await Promise.all(Array.from({ length: 20 }, () => watcher.refreshNow(name)));
      // One poll for the first call, one after it for the 19 that arrived while it ran.
      expect(describes()).toBe(1 + 2);
      expect(new Set(results.map((result) => result.versionId)).size).toBe(1);
      watcher.close();
    });
  });

  describe('reportAuthFailure', () => {
    it('forces one coalesced refresh, and tells listeners with trigger auth-failure', async () => {
      const { t, watcher, advance, describes } = setup();
      const name = uniqueName('auth');
      await t.create(name, 'value-1');
      const listener = jest.fn();
      watcher.watch(name, listener);
      await watcher.ready(name);
      const v2 = await t.rotate(name, 'value-2');
      const results = await Promise.all(Array.from({ length: 100 }, () => watcher.reportAuthFailure(name)));
      expect(describes()).toBe(2);
      expect(results.every((result) => result.changed && result.versionId === v2)).toBe(true);
      expect(listener).toHaveBeenCalledTimes(1);
      expect(listener).toHaveBeenCalledWith(
        expect.objectContaining({ trigger: 'auth-failure', versionId: v2 }),
      );
      // Within forcedRefreshMs (5 s) of that refresh, reports share its answer.
      await advance(4_000);
      await watcher.reportAuthFailure(name);
      expect(describes()).toBe(2);
      await advance(1_000);
      await expect(watcher.reportAuthFailure(name)).resolves.toMatchObject({ changed: false });
      expect(describes()).toBe(3);
      watcher.close();
    });
  });
});
