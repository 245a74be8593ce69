import { constants } from 'node:os';
import { SecretsClient } from '../../client';
import { checkPrincipal } from '../../client/principal-check';
import { validateBoolean, validateDurationMs } from '../../core';
import { ValidationError, show } from '../../errors';
import { silentLogger, type Logger } from '../../observability';
import type { Principal } from '../../policy/principal';
import { RotationWatcher } from '../watcher';
import { parseEnvMappings, type EnvMapping } from './env-mapping';

/**
 * What happens to the child when a secret it was given rotates: `restart` stops it gracefully
 * (SIGTERM, then SIGKILL after `stopTimeoutMs`) and starts it again with the new values;
 * `signal:<NAME>` sends it that signal (for a child that re-reads its secrets itself, from
 * the agent or files); `none` leaves it alone. In every case the new values are concealed in
 * its output from then on.
 */
export type RotationAction = 'restart' | 'none' | `signal:${NodeJS.Signals}`;

/** The signals `keystage run` passes on to the child. */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = Object.freeze(['SIGINT', 'SIGTERM', 'SIGHUP']);

/** A writable stream the child's masked output goes to. */
export interface OutputStream {
  write(chunk: Uint8Array): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export interface RunWithSecretsOptions {
  /** Every read goes through it: its access policy, rate limits, cache and audit trail apply. */
  readonly client: SecretsClient;
  /**
   * The child's variables and the secrets they hold: `{ DB_PASSWORD: 'prod/billing/db#password' }`,
   * a whole secret (`'prod/billing/api-key'`) or one top-level field of a JSON secret (`#field`).
   */
  readonly env: Readonly<Record<string, string>>;
  /** The program to run, found on PATH; no shell is involved. */
  readonly command: string;
  /** @default [] */
  readonly args?: readonly string[];
  /** @default 'restart' */
  readonly onRotation?: RotationAction;
  /**
   * The watcher that reports rotations; share one per process. Used with every `onRotation`,
   * 'none' included, so rotated values are concealed in the output.
   * @default - a RotationWatcher of its own (default interval) unless `onRotation` is 'none', closed when the child ends
   */
  readonly watcher?: RotationWatcher;
  /** The rest of the child's environment; the secrets' variables are set over it. @default process.env */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** @default process.cwd() */
  readonly cwd?: string;
  /** Where the child's standard output goes, values concealed. @default process.stdout */
  readonly stdout?: OutputStream;
  /** Where the child's standard error goes, values concealed. @default process.stderr */
  readonly stderr?: OutputStream;
  /** The child's standard input. @default 'inherit' */
  readonly stdin?: 'inherit' | 'ignore';
  /**
   * Conceal the values (and their JSON-escaped, URL-encoded and base64 forms) in what the child
   * prints. With false its output is its own terminal's, unfiltered.
   * @default true
   */
  readonly mask?: boolean;
  /**
   * Pass SIGINT, SIGTERM and SIGHUP this process receives on to the child (and stop listening
   * for them when it ends). With false, use `signal()` and `stop()`.
   * @default true
   */
  readonly forwardSignals?: boolean;
  /** How long a restart or `stop()` waits after SIGTERM before SIGKILL. @default 10_000 */
  readonly stopTimeoutMs?: number;
  /** Who reads, for the access policy and the audit trail. @default - the client's principal */
  readonly principal?: Principal;
  /** Restarts, signals and failures are logged here; never a value. @default - silent */
  readonly logger?: Logger;
}

/** The options, checked, with their defaults. */
export interface RunSettings {
  readonly client: SecretsClient;
  readonly mappings: readonly EnvMapping[];
  readonly command: string;
  readonly args: readonly string[];
  readonly onRotation:
    { readonly kind: 'restart' | 'none' } | { readonly kind: 'signal'; readonly signal: NodeJS.Signals };
  readonly watcher: RotationWatcher | undefined;
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly cwd: string | undefined;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: 'inherit' | 'ignore';
  readonly mask: boolean;
  readonly forwardSignals: boolean;
  readonly stopTimeoutMs: number;
  readonly principal: Principal | undefined;
  readonly logger: Logger;
}

const KNOWN: ReadonlySet<string> = new Set<keyof RunWithSecretsOptions>([
  'client',
  'env',
  'command',
  'args',
  'onRotation',
  'watcher',
  'baseEnv',
  'cwd',
  'stdout',
  'stderr',
  'stdin',
  'mask',
  'forwardSignals',
  'stopTimeoutMs',
  'principal',
  'logger',
]);

/**
 * Reads `restart`, `none` or `signal:SIGHUP` (any signal this platform knows).
 * @example
 * parseRotationAction('signal:SIGHUP', '--on-rotation'); // { kind: 'signal', signal: 'SIGHUP' }
 */
export function parseRotationAction(value: unknown, field = 'onRotation'): RunSettings['onRotation'] {
  if (value === 'restart' || value === 'none') return { kind: value };
  if (typeof value === 'string' && value.startsWith('signal:')) {
    const signal = value.slice('signal:'.length);
    if (Object.hasOwn(constants.signals, signal)) return { kind: 'signal', signal: signal as NodeJS.Signals };
  }
  throw new ValidationError(
    field,
    `${field} must be 'restart', 'none' or 'signal:<NAME>' such as 'signal:SIGHUP', got ${show(value)}.`,
  );
}

function isOutputStream(value: unknown): value is OutputStream {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as OutputStream).write === 'function' &&
    typeof (value as OutputStream).once === 'function'
  );
}

function outputOf(value: unknown, field: string, fallback: OutputStream): OutputStream {
  if (value === undefined) return fallback;
  if (!isOutputStream(value))
    throw new ValidationError(field, `${field} must be a writable stream, got ${show(value)}.`);
  return value;
}

function argsOf(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new ValidationError('args', `args must be an array of strings, got ${show(value)}.`);
  return value.map((arg: unknown, i) => {
    if (typeof arg !== 'string' || arg.includes('\u0000')) {
      throw new ValidationError(`args[${i}]`, `args[${i}] must be a string without NUL, got ${show(arg)}.`);
    }
    return arg;
  });
}

/** Checks every option before anything is read or started. */
export function checkRunOptions(options: unknown): RunSettings {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError('options', 'runWithSecrets needs { client, env, command }.');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      throw new ValidationError(
        key,
        `${show(key)} is not a runWithSecrets option. Known options: ${[...KNOWN].join(', ')}.`,
      );
    }
  }
  const given = options as RunWithSecretsOptions;
  if (!(given.client instanceof SecretsClient)) {
    throw new ValidationError('client', 'client must be a SecretsClient: the values are read through it.');
  }
  const mappings = parseEnvMappings(given.env);
  if (typeof given.command !== 'string' || given.command === '' || given.command.includes('\u0000')) {
    throw new ValidationError(
      'command',
      `command must name a program to run, such as 'node', got ${show(given.command)}.`,
    );
  }
  if (given.watcher !== undefined && !(given.watcher instanceof RotationWatcher)) {
    throw new ValidationError(
      'watcher',
      'watcher must be a RotationWatcher (shared by the process), or left out.',
    );
  }
  if (given.baseEnv !== undefined && (typeof given.baseEnv !== 'object' || given.baseEnv === null)) {
    throw new ValidationError(
      'baseEnv',
      `baseEnv must be an object of environment variables, got ${show(given.baseEnv)}.`,
    );
  }
  if (given.cwd !== undefined && (typeof given.cwd !== 'string' || given.cwd === '')) {
    throw new ValidationError('cwd', `cwd must be a directory path, got ${show(given.cwd)}.`);
  }
  const stdin = given.stdin ?? 'inherit';
  if (stdin !== 'inherit' && stdin !== 'ignore') {
    throw new ValidationError('stdin', `stdin must be 'inherit' or 'ignore', got ${show(stdin)}.`);
  }
  return {
    client: given.client,
    mappings,
    command: given.command,
    args: argsOf(given.args),
    onRotation: given.onRotation === undefined ? { kind: 'restart' } : parseRotationAction(given.onRotation),
    watcher: given.watcher,
    baseEnv: given.baseEnv ?? process.env,
    cwd: given.cwd,
    stdout: outputOf(given.stdout, 'stdout', process.stdout),
    stderr: outputOf(given.stderr, 'stderr', process.stderr),
    stdin,
    mask: validateBoolean(given.mask, 'mask', true),
    forwardSignals: validateBoolean(given.forwardSignals, 'forwardSignals', true),
    stopTimeoutMs:
      given.stopTimeoutMs === undefined ? 10_000 : validateDurationMs(given.stopTimeoutMs, 'stopTimeoutMs'),
    principal: given.principal === undefined ? undefined : checkPrincipal(given.principal),
    logger: given.logger ?? silentLogger,
  };
}
