import type { Command } from 'commander';
import type { CliContext } from '../context';
import { parseFlags } from '../flags';
import { LOCAL_FLAGS, LOCAL_HELP, localOptions, runLocal } from '../local-command';
import { runTour } from '../tour';

const TOUR_FLAGS = { help: { type: 'boolean', short: 'h' } } as const;

/** `keystage tour --help`. */
export const TOUR_HELP = `usage: keystage tour

Creates secrets of several kinds in an in-process local endpoint, reads them, adds a
version, rolls back, revokes and restores, printing each step (values only by size).
`;

const wantsHelp = (args: readonly string[]): boolean => args.includes('--help') || args.includes('-h');

/**
 * A command that parses its own flags (with lib/cli/flags, as before the program had
 * commander), so its messages and help stay as they are: commander hands it every argument.
 */
function ownFlags(program: Command, name: string, summary: string, help: string): Command {
  const command = program
    .command(name)
    .summary(summary)
    .helpOption(false)
    .allowUnknownOption()
    .argument('[args...]');
  command.helpInformation = () => help;
  return command;
}

/** `keystage local` (the endpoint, until Ctrl-C) and `keystage tour` (a scripted walk through). */
export function registerLocal(program: Command, context: CliContext): void {
  ownFlags(
    program,
    'local',
    'run the local Secrets Manager + KMS + CloudWatch Logs endpoint',
    LOCAL_HELP,
  ).action(async (args: string[]) => {
    // Help wins over everything else on the line, so a user mid-way through a mistake gets it.
    if (wantsHelp(args)) {
      context.io.stdout.write(LOCAL_HELP);
      return;
    }
    await runLocal(localOptions(parseFlags('local', args, LOCAL_FLAGS)), context.println);
    context.setExitCode(-1);
  });
  ownFlags(program, 'tour', 'a scripted tour against an in-process endpoint', TOUR_HELP).action(
    async (args: string[]) => {
      if (wantsHelp(args)) {
        context.io.stdout.write(TOUR_HELP);
        return;
      }
      parseFlags('tour', args, TOUR_FLAGS);
      await runTour(context.println);
    },
  );
}
