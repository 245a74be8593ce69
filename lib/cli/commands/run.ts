import type { Command } from 'commander';
import { validateDurationMs } from '../../core';
import { ValidationError, show } from '../../errors';
import {
  RotationWatcher,
  envFromFlags,
  parseRotationAction,
  runWithSecrets,
  type RotationAction,
} from '../../injection';
import type { Logger } from '../../observability';
import type { CliContext } from '../context';
import { withExamples } from '../help';

interface RunFlags {
  readonly env?: string[];
  readonly onRotation: string;
  readonly interval: string;
  readonly mask: boolean;
}

/** Whole seconds (or fractions) on the command line, as milliseconds. */
export function secondsFlag(value: string, flag: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds)) {
    throw new ValidationError(flag, `${flag} must be a number of seconds, got ${show(value)}.`);
  }
  return validateDurationMs(seconds * 1000, flag);
}

/** The watcher's interval: at least a second, as the watcher takes it. */
export function watchInterval(value: string): number {
  const ms = secondsFlag(value, '--interval');
  if (ms < 1000)
    throw new ValidationError('--interval', `--interval must be at least 1 second, got ${show(value)}.`);
  return ms;
}

/** keystage's notes about the run on stderr (never a value: the fields are ids and codes). */
export function cliLogger(context: CliContext, command: string): Logger {
  const line = (message: string, fields?: Readonly<Record<string, unknown>>) =>
    `${command}: ${message.replace(/^\w+: /, '')}${fields === undefined ? '' : ` ${JSON.stringify(fields)}`}`;
  return {
    debug: () => undefined,
    info: (message, fields) => context.info(line(message, fields)),
    warn: (message, fields) => context.warn(line(message, fields)),
    error: (message, fields) => context.warn(line(message, fields)),
  };
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `keystage run`: a command with secrets in its environment. */
export function registerRun(program: Command, context: CliContext): void {
  const command = program
    .command('run')
    .summary('run a command with secrets in its environment, masked in its output')
    .description(
      'Starts <command...> (after --) with each --env variable set to a secret, or to one field of a ' +
        'JSON secret (id#field). What it prints on stdout and stderr has the values concealed, also ' +
        'JSON-escaped, URL-encoded or in base64. SIGINT, SIGTERM and SIGHUP are passed on; keystage ' +
        'exits with its exit status (128 + n for signal n). When a secret rotates, the child is ' +
        'restarted with the new value (SIGTERM first), sent a signal, or left alone.',
    )
    .option('--env <NAME=id[#field]>', 'a variable and the secret it holds (repeatable)', collect)
    .option('--on-rotation <action>', 'restart | signal:<NAME> | none', 'restart')
    .option('--interval <seconds>', 'how often to look for a rotation', '60')
    .option('--no-mask', 'pass the output through unfiltered (the child gets the terminal)')
    .argument('<command...>', 'the program and its arguments, after --')
    .action(async (argv: string[], flags: RunFlags) => {
      if (flags.env === undefined) {
        throw new ValidationError(
          '--env',
          'keystage run needs at least one --env NAME=secret-id or NAME=secret-id#field.',
        );
      }
      const env = envFromFlags(flags.env);
      const onRotation = flags.onRotation as RotationAction;
      parseRotationAction(onRotation, '--on-rotation');
      const intervalMs = watchInterval(flags.interval);
      const [executable, ...args] = argv;
      const client = context.client();
      const logger = cliLogger(context, 'run');
      const watcher = onRotation === 'none' ? undefined : new RotationWatcher(client, { intervalMs, logger });
      try {
        const running = await runWithSecrets({
          client,
          env,
          command: executable!,
          args,
          onRotation,
          ...(watcher === undefined ? {} : { watcher }),
          stdout: context.io.stdout,
          stderr: context.io.stderr,
          mask: flags.mask,
          logger,
        });
        context.setExitCode((await running.exited).exitCode);
      } finally {
        watcher?.close();
      }
    });
  withExamples(command, [
    [
      'keystage run --env DB_PASSWORD=prod/billing/db#password -- node server.js',
      'one field of a JSON secret',
    ],
    [
      'keystage run --env STRIPE_KEY=prod/billing/stripe --on-rotation signal:SIGHUP -- ./server',
      'signal the server when the key rotates',
    ],
    ['keystage run --env API_KEY=dev/billing/api-key --on-rotation none -- npm test', 'no rotation watch'],
  ]);
}
