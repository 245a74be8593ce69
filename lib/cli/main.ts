#!/usr/bin/env node
import { CommanderError } from 'commander';
import { isKeystageError } from '../errors';
import { EXIT_OK, exitCodeFor } from './exit-codes';
import { processIo, type CliIo } from './io';
import { buildProgram } from './program';
import { quietSdkRuntimeWarning } from './sdk-warning';

export { exitCodeFor } from './exit-codes';

/** Where a run of `keystage` reads and writes, each part defaulting to the process's own. */
export interface MainOptions extends Partial<CliIo> {
  /** Where `local` and `tour` print their lines. @default - stdout */
  readonly println?: (line: string) => void;
}

/**
 * The `keystage` command. Returns the exit code (-1: still running, as `local` does until
 * Ctrl-C). A usage mistake (unknown command or option, a bad value) is a ValidationError; any
 * failure is thrown for the caller to print (`run` does). A function as the second argument is
 * where `local` and `tour` print their lines.
 * @example
 * process.exitCode = await main(['--version']);
 */
export async function main(
  argv: readonly string[],
  options: MainOptions | ((line: string) => void) = {},
): Promise<number> {
  const { println, ...given } = typeof options === 'function' ? { println: options } : options;
  const io: CliIo = { ...processIo(), ...given };
  const { program, context } = buildProgram(io, println === undefined ? {} : { println });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    await context.close().catch(() => undefined);
    // Help and --version end the parse with an "error" whose exit code is 0.
    if (error instanceof CommanderError && error.exitCode === 0) return EXIT_OK;
    throw error;
  }
  // A command still running (-1: local, run, agent) keeps its client; any other is done.
  if (context.exitCode() >= 0) await context.close();
  return context.exitCode();
}

/**
 * `main`, with a failure printed as `keystage: CODE: message` on the run's stderr and turned
 * into its exit code (the README's table: 2 for a usage mistake, one code per keystage error
 * code, 1 otherwise). Resolves to the exit code (-1: still running).
 * @example
 * const code = await execute(['get', 'prod/billing/db'], { stdout, stderr });
 */
export async function execute(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  try {
    return await main(argv, options);
  } catch (error) {
    (options.stderr ?? process.stderr).write(
      `keystage: ${isKeystageError(error) ? `${error.code}: ${error.message}` : String(error)}\n`,
    );
    return exitCodeFor(error);
  }
}

/**
 * Runs `keystage` as a process: silences the AWS SDK's Node.js support notice for keystage's
 * own commands, and sets the exit code `execute` resolves to.
 * @example
 * await run(process.argv.slice(2));
 */
export async function run(argv: readonly string[]): Promise<void> {
  quietSdkRuntimeWarning();
  // `keystage list | head`: the reader has gone, so stop quietly, as Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit();
  });
  // A command still waiting when nothing is left to wait on (an unref'd timer, a dropped
  // promise) would otherwise end as a silent success.
  let finished = false;
  process.once('beforeExit', () => {
    if (finished) return;
    process.stderr.write('keystage: the command ended before it finished: nothing was left to wait on.\n');
    process.exitCode = 1;
  });
  const code = await execute(argv);
  finished = true;
  if (code >= 0) process.exitCode = code;
}

if (require.main === module) void run(process.argv.slice(2));
