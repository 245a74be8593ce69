import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { ValidationError, show } from '../../errors';
import type { OutputMask, MaskedStream } from './output-mask';
import type { OutputStream, RunSettings } from './run-options';

/** How a child ended. */
export interface ChildExit {
  /** Its exit status; null when a signal ended it. */
  readonly code: number | null;
  /** The signal that ended it; null when it exited. */
  readonly signal: NodeJS.Signals | null;
  /** What a shell would report: the status, or 128 + the signal's number. */
  readonly exitCode: number;
}

/** The exit status a shell reports for a child: its own, or 128 + n for signal n. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal === null ? undefined : constants.signals[signal];
  return number === undefined ? 1 : 128 + number;
}

/** A running child, and its end once everything it printed is out. */
export interface StartedChild {
  readonly process: ChildProcess;
  readonly done: Promise<ChildExit>;
}

/**
 * After the child exits, how long its output may take to drain. A grandchild that inherited
 * the pipes can keep them open for ever; then they are closed.
 */
const DRAIN_MS = 2_000;

/** Copies one of the child's streams to `target` through its mask, minding back-pressure. */
function relay(source: Readable, target: OutputStream, masked: MaskedStream | undefined): Promise<void> {
  return new Promise((resolve) => {
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      const rest = masked?.end();
      if (rest !== undefined && rest.length > 0) target.write(rest);
      resolve();
    };
    source.on('data', (chunk: Buffer) => {
      const out = masked === undefined ? chunk : masked.write(chunk);
      if (out.length > 0 && !target.write(out)) {
        source.pause();
        target.once('drain', () => source.resume());
      }
    });
    source.once('end', finish);
    source.once('close', finish);
    source.once('error', finish);
  });
}

/**
 * Starts `settings.command` with `env`; its output goes to the settings' streams through
 * `mask` (or straight to this process's, unmasked, when `mask` is undefined). Resolves once the
 * process is running; a program that cannot be started is a ValidationError naming `command`.
 */
export function startChild(
  settings: RunSettings,
  env: Readonly<Record<string, string>>,
  mask: OutputMask | undefined,
): Promise<StartedChild> {
  const output = mask === undefined ? 'inherit' : 'pipe';
  const child = spawn(settings.command, [...settings.args], {
    env,
    stdio: [settings.stdin, output, output],
    ...(settings.cwd === undefined ? {} : { cwd: settings.cwd }),
  });
  const relays =
    mask === undefined
      ? []
      : [
          relay(child.stdout!, settings.stdout, mask.stream()),
          relay(child.stderr!, settings.stderr, mask.stream()),
        ];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const done = exited.then(async ({ code, signal }) => {
    const drained = Promise.all(relays);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), DRAIN_MS);
      timer.unref();
    });
    if ((await Promise.race([drained, late])) === 'late') {
      child.stdout?.destroy();
      child.stderr?.destroy();
      await drained;
    }
    clearTimeout(timer);
    return { code, signal, exitCode: exitCodeOf(code, signal) };
  });
  return new Promise((resolve, reject) => {
    child.once('spawn', () => {
      child.removeAllListeners('error');
      // A failure after the start (a signal that cannot be delivered) ends nothing: the exit says how it went.
      child.on('error', () => undefined);
      resolve({ process: child, done });
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new ValidationError(
          'command',
          `${show(settings.command)} could not be started (${error.code ?? error.name}): ` +
            'check the program name, that it is on PATH and executable, and the working directory.',
          { cause: error },
        ),
      );
    });
  });
}
