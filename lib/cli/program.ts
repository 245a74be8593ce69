import { Command, CommanderError } from 'commander';
import { ValidationError, show } from '../errors';
import { COMMAND_MODULES, type CommandModule } from './commands';
import { createContext, type CliContext } from './context';
import { EXIT_USAGE } from './exit-codes';
import { addGlobalOptions } from './global-options';
import { usage, type HelpSection } from './help';
import type { CliIo } from './io';
import { keystageVersion } from './version';

/** The `keystage` program of one run, with the context its commands share. */
export interface KeystageProgram {
  readonly program: Command;
  readonly context: CliContext;
  /** The commands by section, as `keystage --help` lists them. */
  readonly sections: readonly HelpSection[];
}

export interface ProgramOptions {
  /** Where `println` lines go (local, tour). @default - stdout */
  readonly println?: (line: string) => void;
  /** The command groups. @default COMMAND_MODULES */
  readonly modules?: readonly CommandModule[];
}

/** `keystage get prod/x --help`, for a command and its parents. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at !== null; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/** Every command of the program, the program first. */
export function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

/**
 * A commander usage mistake (unknown option, missing argument, a value outside the choices) as
 * the ValidationError every other usage mistake is, so it exits 2 with one line on stderr.
 */
function usageError(error: CommanderError, command: Command): ValidationError {
  // A command group (`keystage env`) given no command: commander has printed its help on stderr.
  if (error.code === 'commander.help') {
    return new ValidationError(
      'command',
      `${commandPath(command)} needs a command: ${command.commands.map((sub) => sub.name()).join(', ')}.`,
    );
  }
  const message = error.message.replace(/^error: /, '').replace(/\.$/, '');
  return new ValidationError('arguments', `${message} (${commandPath(command)} --help).`, { cause: error });
}

/**
 * Builds the program: the global options, every command group of the table, help that lists
 * the commands by section, `--version`, and usage mistakes as ValidationErrors. Nothing is
 * written to the process's own streams: everything goes through `io`.
 * @example
 * const { program, context } = buildProgram(processIo());
 * await program.parseAsync(['list', '--output', 'table'], { from: 'user' });
 */
export function buildProgram(io: CliIo, options: ProgramOptions = {}): KeystageProgram {
  const program = new Command('keystage');
  const context = createContext(io, () => program.opts(), options.println);
  program
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Errors are printed once, by main's caller, as `keystage: CODE: message`.
      outputError: () => undefined,
    })
    .configureHelp({ showGlobalOptions: true })
    .helpOption('-h, --help', 'this help')
    .helpCommand('help [command]', "a command's help");
  addGlobalOptions(program);
  program.version(keystageVersion(), '-v, --version', 'the installed version');

  const sections: Array<{ title: string; commands: Command[] }> = [];
  for (const module of options.modules ?? COMMAND_MODULES) {
    const before = program.commands.length;
    module.register(program, context);
    const added = program.commands.slice(before);
    const section = sections.find((s) => s.title === module.section);
    if (section === undefined) sections.push({ title: module.section, commands: [...added] });
    else section.commands.push(...added);
  }

  // Without a command: the usage on stderr, exit 2. An unknown one: a ValidationError naming the commands.
  program
    .argument('[command]')
    .argument('[args...]')
    .action((name: string | undefined) => {
      if (name === undefined) {
        io.stderr.write(usage(sections, program));
        context.setExitCode(EXIT_USAGE);
        return;
      }
      throw new ValidationError(
        'command',
        `${show(name)} is not a keystage command; the commands are ${program.commands
          .map((command) => command.name())
          .filter((command) => command !== 'help')
          .join(', ')} (keystage --help).`,
      );
    });
  program.helpInformation = () => usage(sections, program);
  // Checked before any action runs, so a bad --endpoint-url or --query fails before any call.
  program.hook('preAction', () => {
    context.globals();
  });
  for (const command of allCommands(program)) {
    command.exitOverride((error) => {
      throw error.exitCode === 0 ? error : usageError(error, command);
    });
  }
  return { program, context, sections };
}
