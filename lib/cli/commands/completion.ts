import { Argument, type Command } from 'commander';
import { SHELLS, completionScript, type Shell } from '../completion';
import type { CliContext } from '../context';
import { withExamples } from '../help';

/** `keystage completion bash|zsh|fish`: a completion script made from the command table. */
export function registerCompletion(program: Command, context: CliContext): void {
  const command = program
    .command('completion')
    .summary('print a shell completion script (bash, zsh, fish)')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .action((shell: Shell) => {
      context.io.stdout.write(completionScript(program, shell));
    });
  withExamples(command, [
    ['eval "$(keystage completion bash)"', 'bash, in ~/.bashrc'],
    ['eval "$(keystage completion zsh)"', 'zsh, in ~/.zshrc after compinit'],
    ['keystage completion fish > ~/.config/fish/completions/keystage.fish', 'fish'],
  ]);
}
