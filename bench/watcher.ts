import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsClient } from '../lib/client';
import { RotationWatcher, type WatcherClock } from '../lib/injection';
import { startLocalEndpoint } from '../lib/local';
import { appendResults, machine } from './machine';

// The refresh benchmark (issue 16 §3): DescribeSecret calls per hour the RotationWatcher makes
// for 100 secrets at a 60 s interval (default jitter ±10 %), with 1, 10 and 100 consumers
// (listeners) per secret. Target: 6,000 an hour whatever the number of consumers. Time is a
// clock the benchmark moves itself: two simulated hours per run, the first to settle the
// schedule, the second counted; every poll is a real DescribeSecret over HTTP to the local
// endpoint, counted by a middleware on the SDK client. At the start of the counted hour 10
// secrets are rotated, to check each consumer hears of it within an interval.

const SECRETS = 100;
const INTERVAL_MS = 60_000;
const HOUR_MS = 3_600_000;
const ROTATED = 10;
const CONSUMERS = [1, 10, 100];
const TARGET = (SECRETS * HOUR_MS) / INTERVAL_MS;
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

/** Sleeps end only when `advance` passes them; each wake-up's work finishes before time moves on. */
class SteppedClock implements WatcherClock {
  #now = Date.UTC(2026, 0, 1);
  #sleepers: { at: number; wake: () => void }[] = [];

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true) return resolve();
      const sleeper = { at: this.#now + ms, wake: resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.#sleepers = this.#sleepers.filter((other) => other !== sleeper);
          resolve();
        },
        { once: true },
      );
    });
  }

  async advance(ms: number, settle: () => Promise<void>): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await turn();
      await settle();
      await turn();
      let due: { at: number; wake: () => void } | undefined;
      for (const sleeper of this.#sleepers)
        if (sleeper.at <= end && (due === undefined || sleeper.at < due.at)) due = sleeper;
      if (due === undefined) break;
      this.#now = Math.max(this.#now, due.at);
      this.#sleepers = this.#sleepers.filter((sleeper) => sleeper !== due);
      due.wake();
    }
    this.#now = end;
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Run {
  readonly consumers: number;
  readonly describes: number;
  readonly otherCalls: number;
  readonly deliveries: number;
  readonly maxDelayMs: number;
  readonly wallMs: number;
}

async function run(endpointUrl: string, names: readonly string[], consumers: number): Promise<Run> {
  const sm = new SecretsManagerClient({
    endpoint: endpointUrl,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });
  const calls = new Map<string, number>();
  sm.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName).replace(/Command$/, '');
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  const writer = new SecretsManagerClient({
    endpoint: endpointUrl,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });
  const client = new SecretsClient({ secretsManager: sm, cache: false });
  const clock = new SteppedClock();
  const watcher = new RotationWatcher(client, { intervalMs: INTERVAL_MS, clock });
  const rotatedAt = new Map<string, number>();
  let deliveries = 0;
  let maxDelayMs = 0;
  for (const name of names) {
    for (let c = 0; c < consumers; c++) {
      watcher.watch(name, (change) => {
        deliveries++;
        maxDelayMs = Math.max(maxDelayMs, clock.now() - (rotatedAt.get(change.secretId) ?? clock.now()));
      });
    }
  }
  const started = Date.now();
  const settle = () => watcher.settled();
  await clock.advance(HOUR_MS, settle);
  const before = new Map(calls);
  for (const name of names.slice(0, ROTATED)) {
    await writer.send(new PutSecretValueCommand({ SecretId: name, SecretString: `rotated-${consumers}` }));
    rotatedAt.set(name, clock.now());
  }
  await clock.advance(HOUR_MS, settle);
  const wallMs = Date.now() - started;
  watcher.close();
  sm.destroy();
  writer.destroy();
  const counted = (name: string) => (calls.get(name) ?? 0) - (before.get(name) ?? 0);
  const otherCalls = [...calls.keys()]
    .filter((name) => name !== 'DescribeSecret')
    .reduce((sum, name) => sum + counted(name), 0);
  return { consumers, describes: counted('DescribeSecret'), otherCalls, deliveries, maxDelayMs, wallMs };
}

async function main(): Promise<void> {
  const endpoint = await startLocalEndpoint({ inMemory: true });
  try {
    const setup = new SecretsManagerClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    const names = Array.from(
      { length: SECRETS },
      (_, i) => `bench/watcher/secret-${String(i).padStart(3, '0')}`,
    );
    for (const name of names)
      await setup.send(new CreateSecretCommand({ Name: name, SecretString: 'initial' }));
    setup.destroy();
    const runs: Run[] = [];
    for (const consumers of CONSUMERS) runs.push(await run(endpoint.url, names, consumers));
    const met = (r: Run) =>
      Math.abs(r.describes - TARGET) <= TARGET * 0.01 &&
      r.otherCalls === 0 &&
      r.deliveries === ROTATED * r.consumers;
    const table = [
      `\n## Refresh: RotationWatcher calls per hour (${new Date().toISOString()})`,
      '',
      `Machine: ${machine()}. ${SECRETS} secrets polled every ${INTERVAL_MS / 1000} s (jitter ±10 %) through SecretsClient against the in-process local endpoint;`,
      `time is simulated (two hours per row, the second counted), every poll a real DescribeSecret over HTTP counted by an SDK middleware.`,
      `${ROTATED} secrets are rotated at the start of the counted hour. Target: ${TARGET.toLocaleString('en')} DescribeSecret calls an hour (± 1 %, from the jitter), whatever the consumers.`,
      '',
      '| consumers per secret | listeners | DescribeSecret per hour | per secret per interval | other calls | consumers told of the rotations | longest wait to hear (simulated) | wall time | target |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...runs.map(
        (r) =>
          `| ${r.consumers} | ${(r.consumers * SECRETS).toLocaleString('en')} | ${r.describes.toLocaleString('en')} | ` +
          `${(r.describes / TARGET).toFixed(3)} | ${r.otherCalls} | ${r.deliveries.toLocaleString('en')} of ${(ROTATED * r.consumers).toLocaleString('en')} | ` +
          `${(r.maxDelayMs / 1000).toFixed(1)} s | ${(r.wallMs / 1000).toFixed(1)} s | ${met(r) ? '6,000 met' : '6,000 NOT met'} |`,
      ),
      '',
    ].join('\n');
    process.stdout.write(`${table}\n`);
    appendResults(table);
  } finally {
    await endpoint.close();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
