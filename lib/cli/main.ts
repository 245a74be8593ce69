#!/usr/bin/env node
import { ValidationError, isKeystageError, show } from '../errors';
import { parseFlags } from './flags';
import { LOCAL_FLAGS, LOCAL_HELP, localOptions, runLocal } from './local-command';
import { quietSdkRuntimeWarning } from './sdk-warning';
import { runTour } from './tour';
import { keystageVersion } from './version';

type Print = (line: string) => void;

/** One `keystage` command: its help and what it does. `run` returns the exit code, -1 to keep running. */
interface Command {
  readonly summary: string;
  readonly help: string;
  run(args: readonly string[], print: Print): Promise<number>;
}

const TOUR_FLAGS = { help: { type: 'boolean', short: 'h' } } as const;

const COMMANDS: Readonly<Record<string, Command>> = {
  local: {
    summary: 'run the local Secrets Manager + KMS + CloudWatch Logs endpoint',
    help: LOCAL_HELP,
    async run(args, print) {
      await runLocal(localOptions(parseFlags('local', args, LOCAL_FLAGS)), print);
      return -1;
    },
  },
  tour: {
    summary: 'a scripted tour against an in-process endpoint',
    help: `usage: keystage tour

Creates secrets of several kinds in an in-process local endpoint, reads them, adds a
version, rolls back, revokes and restores, printing each step (values only by size).
`,
    async run(args, print) {
      parseFlags('tour', args, TOUR_FLAGS);
      await runTour(print);
      return 0;
    },
  },
};

const USAGE = `usage: keystage <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(8)}${command.summary}`)
  .join('\n')}

keystage <command> --help   a command's options
keystage --version          the installed version
`;

const stdout: Print = (line) => {
  process.stdout.write(`${line}\n`);
};

const wantsHelp = (args: readonly string[]): boolean => args.includes('--help') || args.includes('-h');

/**
 * The `keystage` command. Returns the exit code (-1: still running, as `local` does until
 * Ctrl-C). A usage mistake (unknown command or option, a bad value) is a ValidationError.
 * @example
 * process.exitCode = await main(['--version']);
 */
export async function main(argv: readonly string[], print: Print = stdout): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    process.stdout.write(topic?.help ?? USAGE);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    print(keystageVersion());
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    throw new ValidationError(
      'command',
      `${show(name)} is not a keystage command; the commands are ${Object.keys(COMMANDS).join(', ')} (keystage --help).`,
    );
  }
  // Help wins over everything else on the line, so a user mid-way through a mistake gets it.
  if (wantsHelp(rest)) {
    process.stdout.write(command.help);
    return 0;
  }
  return command.run(rest, print);
}

/** The exit code for an error: 2 for a usage or configuration mistake, as for bad flags; 1 otherwise. */
export function exitCodeFor(error: unknown): number {
  return isKeystageError(error, 'VALIDATION_ERROR') ? 2 : 1;
}

/**
 * Runs `keystage` as a process: silences the AWS SDK's Node.js support notice for keystage's
 * own commands, prints a failure as `keystage: CODE: message` on stderr and sets the exit code.
 * @example
 * await run(process.argv.slice(2));
 */
export async function run(argv: readonly string[]): Promise<void> {
  quietSdkRuntimeWarning();
  try {
    const code = await main(argv);
    if (code >= 0) process.exitCode = code;
  } catch (error) {
    process.stderr.write(
      `keystage: ${isKeystageError(error) ? `${error.code}: ${error.message}` : String(error)}\n`,
    );
    process.exitCode = exitCodeFor(error);
  }
}

if (require.main === module) void run(process.argv.slice(2));
