import type { Command } from 'commander';

/** One example of a command: the command line, and what it does. */
export type Example = readonly [commandLine: string, what: string];

/**
 * Adds an "Examples:" block to a command's help (`keystage get --help`).
 * @example
 * withExamples(command, [['keystage get prod/billing/db --plain', 'print the value only']]);
 */
export function withExamples(command: Command, examples: readonly Example[]): Command {
  const width = Math.max(...examples.map(([line]) => line.length));
  const text = examples.map(([line, what]) =>
    line.length + what.length > 100 ? `  $ ${line}\n      ${what}` : `  $ ${line.padEnd(width)}  # ${what}`,
  );
  return command.addHelpText('after', `\nExamples:\n${text.join('\n')}\n`);
}

/** The commands of one section of `keystage --help`. */
export interface HelpSection {
  readonly title: string;
  readonly commands: readonly Command[];
}

/** A command's one-line summary: its `summary()`, else the first line of its description. */
export function summaryOf(command: Command): string {
  return command.summary() || (command.description().split('\n')[0] ?? '');
}

/**
 * `keystage --help`: the commands by section, then the global options and where to look next.
 * @example
 * process.stdout.write(usage(sections, program));
 */
export function usage(sections: readonly HelpSection[], program: Command): string {
  const width = Math.max(10, ...sections.flatMap((s) => s.commands.map((c) => c.name().length))) + 2;
  const blocks = sections.map(
    ({ title, commands }) =>
      `${title}:\n${commands.map((command) => `  ${command.name().padEnd(width)}${summaryOf(command)}`).join('\n')}`,
  );
  const options = program.options.map((option) => [option.flags, option.description] as const);
  const flagsWidth = Math.max(...options.map(([flags]) => flags.length)) + 2;
  return `usage: keystage <command> [options]

${blocks.join('\n\n')}

global options (before or after the command):
${options.map(([flags, description]) => `  ${flags.padEnd(flagsWidth)}${description}`).join('\n')}

keystage <command> --help       a command's options and examples
keystage --version              the installed version
keystage completion bash|zsh|fish   shell completion
`;
}
