import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inspect } from 'node:util';
import { SecretsClient } from '../../../../lib/client/secrets-client';
import { ThrottledError, ValidationError } from '../../../../lib/errors';
import { RotationWatcher, type WatcherClock } from '../../../../lib/injection';
import { systemWatcherClock } from '../../../../lib/injection/watcher/watcher-clock';
import { backoffDelay } from '../../../../lib/injection/watcher/poll-schedule';
import { AccessPolicy, POLICY_OPERATIONS } from '../../../../lib/policy';
import { arnOf, clientFixture, meta, serviceError, sm, version } from '../../../support/client-fixture';
import { ManualClock } from './watcher-fixture';

const MINUTE = 60_000;
const NAME = 'prod/billing/db';
const described = (current: string) => ({
  ...meta,
  ARN: arnOf(NAME),
  Name: NAME,
  VersionIdsToStages: { [current]: ['AWSCURRENT'] },
});

function setup(options: ConstructorParameters<typeof RotationWatcher>[1] = {}) {
  const fixture = clientFixture();
  const clock = new ManualClock();
  const errors: Array<{ error: unknown; secretId: string }> = [];
  const watcher = new RotationWatcher(fixture.client, {
    clock,
    jitter: 0,
    logger: {
      debug: () => undefined,
      info: (message, fields) => fixture.logs.push(`info ${message} ${JSON.stringify(fields)}`),
      warn: (message, fields) => fixture.logs.push(`warn ${message} ${JSON.stringify(fields)}`),
      error: (message, fields) => fixture.logs.push(`error ${message} ${JSON.stringify(fields)}`),
    },
    onError: (error, secretId) => errors.push({ error, secretId }),
    ...options,
  });
  const advance = (ms: number) => clock.advance(ms, () => watcher.settled());
  return { ...fixture, clock, watcher, errors, advance };
}

afterEach(() => sm.reset());

describe('RotationWatcher failures', () => {
  it('backs off after failed polls, reports each, and returns to the interval after a success', async () => {
    const { watcher, clock, errors, advance } = setup({ maxBackoffMs: 4 * MINUTE });
    sm.on(DescribeSecretCommand)
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .resolves(described(version('a')));
    watcher.watch(NAME, () => undefined);
    await advance(30 * MINUTE);
    const [first, second, third, fourth, ...after] = clock.sleeps;
    // After the k-th failure: between half and all of min(maxBackoff, interval × 2^k).
    expect(first).toBeGreaterThanOrEqual(MINUTE);
    expect(first).toBeLessThanOrEqual(2 * MINUTE);
    expect(second).toBeGreaterThanOrEqual(2 * MINUTE);
    expect(second).toBeLessThanOrEqual(4 * MINUTE);
    for (const capped of [third, fourth]) {
      expect(capped).toBeGreaterThanOrEqual(2 * MINUTE);
      expect(capped).toBeLessThanOrEqual(4 * MINUTE);
    }
    expect(after.length).toBeGreaterThan(5);
    expect(after.every((wait) => wait === MINUTE)).toBe(true);
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatchObject({ secretId: NAME, error: { code: 'THROTTLED' } });
    expect(watcher.stats()).toMatchObject({ errors: 4 });
    watcher.close();
  });

  it('waits at least as long as a throttling error says', () => {
    const error = new ThrottledError('slow down', { retryAfterMs: 10 * MINUTE });
    expect(backoffDelay(1, MINUTE, 15 * MINUTE, error)).toBeGreaterThanOrEqual(10 * MINUTE);
    expect(backoffDelay(1, MINUTE, 15 * MINUTE, new Error('x'))).toBeLessThanOrEqual(2 * MINUTE);
    expect(backoffDelay(40, MINUTE, 15 * MINUTE, new Error('x'))).toBeLessThanOrEqual(15 * MINUTE);
  });

  it('makes ready() reject with a failed first poll', async () => {
    const { watcher } = setup();
    sm.on(DescribeSecretCommand).rejects(serviceError('ResourceNotFoundException', 'not found'));
    watcher.watch(NAME, () => undefined);
    await expect(watcher.ready(NAME)).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND', secretId: NAME });
    watcher.close();
  });

  it('reports a listener that throws, and still tells the others and keeps polling', async () => {
    const { watcher, errors, advance } = setup();
    sm.on(DescribeSecretCommand)
      .resolvesOnce(described(version('a')))
      .resolvesOnce(described(version('b')))
      .resolves(described(version('c')));
    const boom = new Error('listener broke');
    const calm = jest.fn();
    watcher.watch(NAME, () => {
      throw boom;
    });
    watcher.watch(NAME, calm);
    await advance(2 * MINUTE);
    expect(calm.mock.calls.map(([change]) => change.versionId)).toEqual([version('b'), version('c')]);
    expect(errors).toEqual([
      { error: boom, secretId: NAME },
      { error: boom, secretId: NAME },
    ]);
    watcher.close();
  });

  it('polls through the pipeline: audited as describe, refused by the access policy', async () => {
    const fixture = clientFixture();
    sm.on(DescribeSecretCommand).resolves(described(version('a')));
    const principal = { id: 'w', service: 'billing', environment: 'prod', roles: ['reader'] };
    const client = new SecretsClient({
      secretsManager: new SecretsManagerClient({ maxAttempts: 1 }),
      audit: { record: (event) => void fixture.events.push(event) },
      policy: new AccessPolicy({
        rules: [{ id: 'prod-only', effect: 'allow', secrets: ['prod/**'], operations: POLICY_OPERATIONS }],
      }),
      principal,
    });
    const errors: unknown[] = [];
    const watcher = new RotationWatcher(client, { clock: new ManualClock(), onError: (e) => errors.push(e) });
    watcher.watch(NAME, () => undefined);
    await watcher.ready(NAME);
    watcher.watch('staging/billing/db', () => undefined);
    await expect(watcher.ready('staging/billing/db')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(sm.commandCalls(DescribeSecretCommand)).toHaveLength(1);
    expect(
      fixture.events.map((event) => [event.action, event.event_type, event.secret_name, event.success]),
    ).toEqual([
      ['describe', 'secret_metadata', NAME, true],
      ['describe', 'access_denied', 'staging/billing/db', false],
    ]);
    expect(errors).toHaveLength(1);
    watcher.close();
  });

  it('never shows a value: logs, errors, stats, JSON and inspect hold ids and codes only', async () => {
    const planted = 'PLANTED-VALUE-7f3a9c';
    const { watcher, logs, errors, advance } = setup();
    sm.on(DescribeSecretCommand)
      .resolvesOnce(described(version('a')))
      .rejectsOnce(serviceError('InternalServiceError', 'boom', 500))
      .resolves(described(version('b')));
    watcher.watch(NAME, () => {
      throw new Error(`connection refused for password ${planted}`);
    });
    await advance(5 * MINUTE);
    expect(logs.length).toBeGreaterThan(0);
    const shown = [
      ...logs,
      JSON.stringify(watcher),
      inspect(watcher),
      JSON.stringify(errors.slice(0, 1)),
    ].join('\n');
    expect(shown).not.toContain(planted);
    expect(logs.some((line) => line.includes('rotation watcher listener failed'))).toBe(true);
    watcher.close();
  });

  it('refuses bad options before any call', () => {
    const { client } = clientFixture();
    const bad: Array<[unknown, string]> = [
      [{ intervalMs: 0 }, 'intervalMs'],
      [{ intervalMs: Number.NaN }, 'intervalMs'],
      [{ intervalMs: Number.POSITIVE_INFINITY }, 'intervalMs'],
      [{ intervalMs: 2 ** 31 }, 'intervalMs'],
      [{ intervalMs: 999 }, 'intervalMs'],
      [{ jitter: 0.6 }, 'jitter'],
      [{ jitter: -0.1 }, 'jitter'],
      [{ maxBackoffMs: 1000 }, 'maxBackoffMs'],
      [{ forcedRefreshMs: -1 }, 'forcedRefreshMs'],
      [{ clock: { now: () => 0 } }, 'clock'],
      [{ logger: console.log }, 'logger'],
      [{ onError: 'yes' }, 'onError'],
      [{ principal: { id: 'x' } }, 'principal.service'],
      [{ interval: 1000 }, 'interval'],
      ['fast', 'options'],
    ];
    for (const [options, field] of bad) {
      const error = (() => {
        try {
          new RotationWatcher(client, options as never);
        } catch (thrown) {
          return thrown;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ field });
    }
    expect(() => new RotationWatcher({} as never)).toThrow(expect.objectContaining({ field: 'client' }));
    expect(sm.calls()).toHaveLength(0);
  });

  it('refuses bad watch arguments and ids it does not watch, before any call', async () => {
    const { watcher } = setup();
    expect(() => watcher.watch('', () => undefined)).toThrow(expect.objectContaining({ field: 'id' }));
    expect(() => watcher.watch(NAME, 'listener' as never)).toThrow(
      expect.objectContaining({ field: 'listener' }),
    );
    expect(() => watcher.watch(NAME, () => undefined, { knownVersionId: 'short' })).toThrow(
      expect.objectContaining({ field: 'knownVersionId' }),
    );
    expect(() => watcher.watch(NAME, () => undefined, { stage: 'AWSPENDING' } as never)).toThrow(
      expect.objectContaining({ field: 'stage' }),
    );
    for (const call of [watcher.refreshNow(NAME), watcher.reportAuthFailure(NAME), watcher.ready(NAME)]) {
      await expect(call).rejects.toMatchObject({ code: 'VALIDATION_ERROR', field: 'secretId' });
    }
    expect(sm.calls()).toHaveLength(0);
    watcher.close();
  });

  it('close() stops every poll and ends its sleeps at once; a closed watcher refuses to watch', async () => {
    const fixture = clientFixture();
    sm.on(DescribeSecretCommand).callsFake((input: { SecretId: string }) => ({
      ...described(version('a')),
      ARN: arnOf(input.SecretId),
      Name: input.SecretId,
    }));
    // Real time, with each sleep tracked until it ends.
    let sleeping = 0;
    const clock: WatcherClock = {
      now: () => systemWatcherClock.now(),
      sleep: async (ms, signal) => {
        sleeping++;
        try {
          await systemWatcherClock.sleep(ms, signal);
        } finally {
          sleeping--;
        }
      },
    };
    const watcher = new RotationWatcher(fixture.client, { clock });
    watcher.watch(NAME, () => undefined);
    watcher.watch('prod/billing/other', () => undefined);
    await watcher.settled();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sleeping).toBe(2); // a minute each
    const closing = Date.now();
    watcher.close();
    watcher.close();
    while (sleeping > 0) await new Promise((resolve) => setImmediate(resolve));
    expect(Date.now() - closing).toBeLessThan(1000);
    expect(() => watcher.watch(NAME, () => undefined)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    await expect(watcher.refreshNow(NAME)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(sm.commandCalls(DescribeSecretCommand)).toHaveLength(2);
  });

  it('a refresh asked for after close() of a poll under way is refused, not left hanging', async () => {
    const { watcher } = setup();
    let answer: (value: unknown) => void = () => undefined;
    sm.on(DescribeSecretCommand).callsFake(() => new Promise((resolve) => (answer = resolve)));
    watcher.watch(NAME, () => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    const queued = watcher.refreshNow(NAME);
    watcher.close();
    answer(described(version('a')));
    await expect(queued).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
