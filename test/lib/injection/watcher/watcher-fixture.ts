import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { WatcherClock } from '../../../../lib/injection';
import { SecretsClient } from '../../../../lib/client/secrets-client';
import type { SecretsClientOptions } from '../../../../lib/client/options';
import type { LocalFixture } from '../../../support/local-endpoint';

/**
 * A clock that moves only when the test says: sleeps resolve as `advance` passes their end,
 * in order, and each step waits for the work it woke (`settle`) before time moves on, so
 * an hour of polling takes as long as its requests.
 */
export class ManualClock implements WatcherClock {
  readonly sleeps: number[] = [];
  #now = Date.UTC(2026, 0, 1);
  #sleepers: { at: number; wake: () => void }[] = [];

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
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

  /** Sleepers waiting now. */
  get pending(): number {
    return this.#sleepers.length;
  }

  async advance(ms: number, settle: () => Promise<void> = async () => undefined): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await turn();
      await settle();
      await turn();
      const due = this.#sleepers.filter((sleeper) => sleeper.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.#now = Math.max(this.#now, due.at);
      this.#sleepers = this.#sleepers.filter((sleeper) => sleeper !== due);
      due.wake();
    }
    this.#now = end;
  }
}

/** Lets promise callbacks and I/O callbacks queued so far run. */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Counts each SDK command the client sends, by name (`DescribeSecret`). */
export function countCommands(sm: SecretsManagerClient): Map<string, number> {
  const counts = new Map<string, number>();
  sm.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName).replace(/Command$/, '');
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return counts;
}

export interface WatchedLocal {
  /** Writes with no counting and no cache: stands in for whoever rotates the secret. */
  readonly writer: SecretsManagerClient;
  /** The client under test, whose calls `calls` counts. */
  readonly client: SecretsClient;
  readonly calls: Map<string, number>;
  readonly clock: ManualClock;
  create(name: string, value: string): Promise<{ arn: string; versionId: string }>;
  rotate(name: string, value: string): Promise<string>;
}

/** A client over `local` whose calls are counted, a writer beside it, and a manual clock. */
export function watchedLocal(local: LocalFixture, options: SecretsClientOptions = {}): WatchedLocal {
  const writer = local.sm();
  const sm = local.sm();
  const calls = countCommands(sm);
  const client = new SecretsClient({ secretsManager: sm, kms: local.kms(), ...options });
  return {
    writer,
    client,
    calls,
    clock: new ManualClock(),
    create: async (name, value) => {
      const out = await writer.send(new CreateSecretCommand({ Name: name, SecretString: value }));
      return { arn: out.ARN!, versionId: out.VersionId! };
    },
    rotate: async (name, value) =>
      (await writer.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }))).VersionId!,
  };
}

let serial = 0;
/** A secret name no other test of the run uses. */
export const uniqueName = (what: string): string => `test/watch/${what}-${++serial}`;
