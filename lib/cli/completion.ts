import type { Command, Option } from 'commander';
import { summaryOf } from './help';

/** The shells `keystage completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** One option as completion sees it. */
interface OptionSpec {
  readonly long: string | undefined;
  readonly short: string | undefined;
  readonly description: string;
  /** Whether it takes a value (the next word). */
  readonly takesValue: boolean;
  readonly choices: readonly string[] | undefined;
  /** A path: completed with file names. */
  readonly file: boolean;
}

interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  /** The choices of its first argument (`generate <kind>`), or its subcommands (`env copy`). */
  readonly argumentChoices: readonly string[] | undefined;
}

interface ProgramSpec {
  readonly globals: readonly OptionSpec[];
  readonly commands: readonly CommandSpec[];
}

function optionSpec(option: Option): OptionSpec {
  return {
    long: option.long,
    short: option.short,
    description: option.description,
    takesValue: option.required || option.optional,
    choices: option.argChoices,
    file: /-(file|dir)$/.test(option.long ?? ''),
  };
}

const HELP: OptionSpec = {
  long: '--help',
  short: '-h',
  description: 'this help',
  takesValue: false,
  choices: undefined,
  file: false,
};

/** The program's commands and options, read from the commander tree the command table built. */
function specOf(program: Command): ProgramSpec {
  return {
    globals: [...program.options.map(optionSpec), HELP],
    commands: program.commands.map((command) => ({
      name: command.name(),
      summary: summaryOf(command),
      options: [...command.options.map(optionSpec), HELP],
      // A command group (`env`) completes its subcommands where another command's first argument goes.
      argumentChoices:
        command.commands.length > 0
          ? command.commands.map((sub) => sub.name())
          : command.registeredArguments[0]?.argChoices,
    })),
  };
}

const flagsOf = (options: readonly OptionSpec[]): string[] =>
  options.flatMap((option) => [option.long, option.short].filter((flag) => flag !== undefined));

function bash(spec: ProgramSpec): string {
  const valued = flagsOf(spec.globals.filter((option) => option.takesValue));
  const choiceCases = [...spec.globals, ...spec.commands.flatMap((command) => command.options)]
    .filter((option) => option.choices !== undefined)
    .map(
      (option) =>
        `    ${flagsOf([option]).join('|')}) COMPREPLY=($(compgen -W "${option.choices!.join(' ')}" -- "$cur")); return ;;`,
    );
  const unique = [...new Set(choiceCases)];
  const commandCases = spec.commands.map(
    (command) =>
      `    ${command.name}) opts="${flagsOf(command.options).join(' ')}"; args="${(command.argumentChoices ?? []).join(' ')}" ;;`,
  );
  return `# keystage completion for bash. Load it with:
#   eval "$(keystage completion bash)"          (in ~/.bashrc)
# or save it: keystage completion bash > /etc/bash_completion.d/keystage
_keystage() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local globals="${flagsOf(spec.globals).join(' ')}"
  local command="" opts="" args="" i
  case "$prev" in
${unique.join('\n')}
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${valued.join('|')}) ((i++)) ;;
      -*) ;;
      *) command="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  if [[ -z "$command" ]]; then
    if [[ "$cur" == -* ]]; then
      COMPREPLY=($(compgen -W "$globals" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "${spec.commands.map((command) => command.name).join(' ')}" -- "$cur"))
    fi
    return
  fi
  case "$command" in
${commandCases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts $globals" -- "$cur"))
  elif [[ -n "$args" && "$prev" == "$command" ]]; then
    COMPREPLY=($(compgen -W "$args" -- "$cur"))
  fi
}
complete -o default -F _keystage keystage
`;
}

/** A zsh word, single-quoted. */
function zshQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

// Brackets end an option's description: escaped. A colon after the first (in _describe) or
// inside the brackets is taken as it is.
const zshText = (text: string): string => text.replace(/[[\]\\]/g, (char) => `\\${char}`);

function zshOption(option: OptionSpec): string[] {
  const value = option.takesValue
    ? option.choices !== undefined
      ? `:value:(${option.choices.join(' ')})`
      : option.file
        ? ':file:_files'
        : ':value: '
    : '';
  return flagsOf([option]).map((flag) => zshQuote(`${flag}[${zshText(option.description)}]${value}`));
}

function zsh(spec: ProgramSpec): string {
  const globals = spec.globals.flatMap(zshOption);
  const commands = spec.commands.map(
    (command) => `    ${zshQuote(`${command.name}:${zshText(command.summary)}`)}`,
  );
  const cases = spec.commands.map((command) => {
    const positional =
      command.argumentChoices === undefined
        ? "'*:argument: '"
        : `':argument:(${command.argumentChoices.join(' ')})'`;
    return `        ${command.name}) _arguments $globals ${command.options.flatMap(zshOption).join(' ')} ${positional} ;;`;
  });
  return `#compdef keystage
# keystage completion for zsh. Load it with:
#   eval "$(keystage completion zsh)"           (in ~/.zshrc, after compinit)
# or save it as _keystage in a directory of $fpath.
_keystage() {
  local -a commands globals
  globals=(${globals.join(' ')})
  commands=(
${commands.join('\n')}
  )
  local state
  _arguments -C $globals '1: :->command' '*:: :->args' && return
  case $state in
    command) _describe -t commands 'keystage command' commands ;;
    args)
      case $words[1] in
${cases.join('\n')}
      esac ;;
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _keystage "$@"
else
  compdef _keystage keystage
fi
`;
}

const fishQuote = (text: string): string => `'${text.replace(/[\\']/g, (char) => `\\${char}`)}'`;

function fishOption(option: OptionSpec, condition: string | undefined): string {
  const parts = ['complete -c keystage'];
  if (condition !== undefined) parts.push(`-n ${fishQuote(condition)}`);
  if (option.long !== undefined) parts.push(`-l ${option.long.slice(2)}`);
  if (option.short !== undefined) parts.push(`-s ${option.short.slice(1)}`);
  if (option.takesValue)
    parts.push(
      option.choices !== undefined
        ? `-x -a ${fishQuote(option.choices.join(' '))}`
        : option.file
          ? '-r -F'
          : '-x',
    );
  parts.push(`-d ${fishQuote(option.description)}`);
  return parts.join(' ');
}

function fish(spec: ProgramSpec): string {
  const names = spec.commands.map((command) => command.name).join(' ');
  const lines = [
    '# keystage completion for fish. Load it with:',
    '#   keystage completion fish | source',
    '# or save it: keystage completion fish > ~/.config/fish/completions/keystage.fish',
    'complete -c keystage -f',
    ...spec.commands.map(
      (command) =>
        `complete -c keystage -n ${fishQuote(`not __fish_seen_subcommand_from ${names}`)} -a ${command.name} -d ${fishQuote(command.summary)}`,
    ),
    ...spec.globals.map((option) => fishOption(option, undefined)),
    ...spec.commands.flatMap((command) => {
      const condition = `__fish_seen_subcommand_from ${command.name}`;
      return [
        ...command.options.map((option) => fishOption(option, condition)),
        ...(command.argumentChoices === undefined
          ? []
          : [
              `complete -c keystage -n ${fishQuote(condition)} -a ${fishQuote(command.argumentChoices.join(' '))}`,
            ]),
      ];
    }),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The completion script for a shell, made from the program: every command of the command
 * table, its options and the choices of its values, and the global options.
 * @example
 * process.stdout.write(completionScript(program, 'bash'));
 */
export function completionScript(program: Command, shell: Shell): string {
  const spec = specOf(program);
  switch (shell) {
    case 'bash':
      return bash(spec);
    case 'zsh':
      return zsh(spec);
    case 'fish':
      return fish(spec);
  }
}
