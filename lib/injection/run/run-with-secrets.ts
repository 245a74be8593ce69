import type { CallOptions } from '../../client';
import { isSsmId } from '../../client/ssm-source';
import { isKeystageError } from '../../errors';
import { RotationWatcher, type SecretChange } from '../watcher';
import { startChild, type ChildExit, type StartedChild } from './child-process';
import { readMappedValues, type EnvMapping } from './env-mapping';
import { OutputMask } from './output-mask';
import {
  FORWARDED_SIGNALS,
  checkRunOptions,
  type RunSettings,
  type RunWithSecretsOptions,
} from './run-options';

/**
 * A command started by {@link runWithSecrets}: the child running now (a restart replaces it),
 * and the end of the whole run.
 * @example
 * const run = await runWithSecrets({ client, env: { API_KEY: 'prod/billing/api-key' }, command: './server' });
 * process.once('beforeExit', () => void run.stop());
 * const { exitCode } = await run.exited;
 */
export class RunningCommand {
  readonly #settings: RunSettings;
  readonly #call: CallOptions;
  readonly #watcher: RotationWatcher | undefined;
  readonly #ownWatcher: boolean;
  readonly #mask: OutputMask | undefined;
  /** The mappings of each secret, by the id as given. */
  readonly #bySecret = new Map<string, EnvMapping[]>();
  /** The value of each variable the child was (or will be) started with. */
  readonly #values = new Map<string, string>();
  readonly #unwatch: Array<() => void> = [];
  readonly #signalHandlers = new Map<NodeJS.Signals, () => void>();
  readonly #exited: Promise<ChildExit>;
  #resolveExit!: (exit: ChildExit) => void;
  #child: StartedChild | undefined;
  #restarts = 0;
  #restarting = false;
  #finished = false;
  /** A stop asked for (by `stop()`, or SIGINT/SIGTERM while no child runs): no restart after it. */
  #stopSignal: NodeJS.Signals | undefined;
  /** Start-up and every rotation, one at a time. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(settings: RunSettings) {
    this.#settings = settings;
    this.#call = settings.principal === undefined ? {} : { principal: settings.principal };
    // A watcher given is used even with 'none': rotated values are still concealed from then on.
    this.#ownWatcher = settings.onRotation.kind !== 'none' && settings.watcher === undefined;
    this.#watcher =
      settings.watcher ??
      (this.#ownWatcher
        ? new RotationWatcher(settings.client, {
            logger: settings.logger,
            ...(settings.principal === undefined ? {} : { principal: settings.principal }),
          })
        : undefined);
    this.#mask = settings.mask ? new OutputMask() : undefined;
    for (const mapping of settings.mappings) {
      const group = this.#bySecret.get(mapping.secretId) ?? [];
      group.push(mapping);
      this.#bySecret.set(mapping.secretId, group);
    }
    this.#exited = new Promise((resolve) => {
      this.#resolveExit = resolve;
    });
  }

  /** Checks the options, reads every value, then starts the child. */
  static async start(options: RunWithSecretsOptions): Promise<RunningCommand> {
    const command = new RunningCommand(checkRunOptions(options));
    try {
      await command.#enqueue(() => command.#begin());
    } catch (error) {
      command.#release();
      throw error;
    }
    return command;
  }

  /** The running child's process id; undefined between a restart's stop and start, and after the end. */
  get pid(): number | undefined {
    return this.#finished ? undefined : this.#child?.process.pid;
  }

  /** How many times the child was restarted after a rotation. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Resolves when the child ends on its own, is stopped, or cannot be restarted. */
  get exited(): Promise<ChildExit> {
    return this.#exited;
  }

  /** Sends `signal` to the running child; false when none is running. */
  signal(signal: NodeJS.Signals): boolean {
    const child = this.#child?.process;
    return child !== undefined && child.exitCode === null && child.signalCode === null && child.kill(signal);
  }

  /** Stops the child (SIGTERM, then SIGKILL after `stopTimeoutMs`) and ends the run. */
  stop(): Promise<ChildExit> {
    this.#stopSignal ??= 'SIGTERM';
    const child = this.#child;
    if (child !== undefined && !this.#finished) void this.#terminate(child);
    return this.#exited;
  }

  toJSON(): { command: string; pid: number | undefined; restarts: number; variables: string[] } {
    return {
      command: this.#settings.command,
      pid: this.pid,
      restarts: this.#restarts,
      variables: this.#settings.mappings.map((mapping) => mapping.name),
    };
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(task);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #begin(): Promise<void> {
    const watcher = this.#watcher;
    for (const [secretId, mappings] of this.#bySecret) {
      let versionId: string | undefined;
      // A parameter has no staging labels to watch: its value is read once.
      if (watcher !== undefined && !isSsmId(secretId)) {
        this.#unwatch.push(
          watcher.watch(secretId, (change) => this.#enqueue(() => this.#rotated(secretId, change))),
        );
        // The version the watcher's baseline is, so a rotation after it is reported, never missed.
        versionId = await watcher.ready(secretId);
      }
      const values = await readMappedValues(this.#settings.client, secretId, mappings, versionId, this.#call);
      for (const [name, value] of values) {
        this.#values.set(name, value);
        this.#mask?.add(value);
      }
    }
    this.#child = await startChild(this.#settings, this.#environment(), this.#mask);
    // Listening before following the child, so that its end always removes the listeners.
    if (this.#settings.forwardSignals) {
      for (const signal of FORWARDED_SIGNALS) {
        const handler = () => this.#forward(signal);
        this.#signalHandlers.set(signal, handler);
        process.on(signal, handler);
      }
    }
    this.#follow(this.#child);
  }

  #environment(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.#settings.baseEnv))
      if (value !== undefined) env[name] = value;
    for (const [name, value] of this.#values) env[name] = value;
    return env;
  }

  /** Ends the run when `child` ends, unless a restart is replacing it. */
  #follow(child: StartedChild): void {
    void child.done.then((exit) => {
      if (this.#child === child && !this.#restarting) this.#finish(exit);
    });
  }

  #forward(signal: NodeJS.Signals): void {
    // With no child to stop (a restart in between), an interrupt ends the run instead.
    if (this.#restarting && signal !== 'SIGHUP') this.#stopSignal ??= signal;
    this.signal(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited after `stopTimeoutMs`. */
  async #terminate(child: StartedChild): Promise<ChildExit> {
    const { process: running } = child;
    if (running.exitCode === null && running.signalCode === null) running.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (running.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
    }, this.#settings.stopTimeoutMs);
    timer.unref();
    try {
      return await child.done;
    } finally {
      clearTimeout(timer);
    }
  }

  async #rotated(secretId: string, change: SecretChange): Promise<void> {
    if (this.#finished) return;
    const { client, logger, onRotation } = this.#settings;
    let values: Map<string, string>;
    try {
      values = await readMappedValues(
        client,
        secretId,
        this.#bySecret.get(secretId) ?? [],
        change.versionId,
        this.#call,
      );
    } catch (error) {
      // The child keeps what it has: a value in an environment cannot be taken back.
      logger.error('run: a rotated secret could not be read; the child keeps its values', {
        secretId,
        code: isKeystageError(error) ? error.code : 'UNEXPECTED',
      });
      return;
    }
    const changed: string[] = [];
    for (const [name, value] of values) {
      this.#mask?.add(value);
      if (this.#values.get(name) !== value) changed.push(name);
      this.#values.set(name, value);
    }
    if (changed.length === 0 || this.#finished) return;
    logger.info('run: secret rotated', {
      secretId,
      versionId: change.versionId,
      variables: changed,
      action: onRotation.kind === 'signal' ? `signal:${onRotation.signal}` : onRotation.kind,
    });
    if (onRotation.kind === 'signal') this.signal(onRotation.signal);
    else if (onRotation.kind === 'restart') await this.#restart();
  }

  async #restart(): Promise<void> {
    const previous = this.#child;
    if (previous === undefined || this.#stopSignal !== undefined) return;
    this.#restarting = true;
    const ended = await this.#terminate(previous);
    if (this.#stopSignal !== undefined) {
      this.#restarting = false;
      this.#finish(ended);
      return;
    }
    try {
      this.#child = await startChild(this.#settings, this.#environment(), this.#mask);
      this.#restarts += 1;
    } catch (error) {
      this.#settings.logger.error('run: the child could not be started again after a rotation', {
        command: this.#settings.command,
        code: isKeystageError(error) ? error.code : 'UNEXPECTED',
      });
      this.#restarting = false;
      this.#finish(ended);
      return;
    }
    this.#restarting = false;
    this.#follow(this.#child);
  }

  #finish(exit: ChildExit): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#release();
    this.#resolveExit(exit);
  }

  /** Stops watching and listening for signals; closes the watcher if it is this run's own. */
  #release(): void {
    for (const unwatch of this.#unwatch.splice(0)) unwatch();
    for (const [signal, handler] of this.#signalHandlers) process.off(signal, handler);
    this.#signalHandlers.clear();
    if (this.#ownWatcher) this.#watcher?.close();
  }
}

/**
 * Runs a command with secrets in its environment, as `keystage run` does: reads every value
 * through the client (policy, rate limits and audit apply), starts the child with them,
 * conceals them in what it prints (stdout and stderr, even split across writes), passes
 * SIGINT, SIGTERM and SIGHUP on, and when a secret rotates restarts the child with the new
 * values, signals it, or leaves it (`onRotation`). Resolves once the child is running; its
 * `exited` resolves with the child's exit status (128 + n for signal n).
 * @example
 * const run = await runWithSecrets({
 *   client: new SecretsClient(),
 *   env: { DB_PASSWORD: 'prod/billing/db#password' },
 *   command: 'node',
 *   args: ['server.js'],
 *   onRotation: 'signal:SIGHUP',
 * });
 * process.exitCode = (await run.exited).exitCode;
 */
export function runWithSecrets(options: RunWithSecretsOptions): Promise<RunningCommand> {
  return RunningCommand.start(options);
}
