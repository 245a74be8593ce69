import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { SecretListItem } from '../../client';
import { defineGroup, groupMembers, rotateGroup } from '../../organise';
import type { CliContext } from '../context';
import { EXIT_FAILURE } from '../exit-codes';
import { withExamples } from '../help';
import type { TableView } from '../output';
import { integerFlag } from '../parse';
import { LIST_VIEW } from './inspect';

const MEMBER_VIEW: TableView = {
  columns: [
    ['NAME', 'name'],
    ['OUTCOME', 'outcome'],
    ['FROM', 'fromVersionId'],
    ['TO', 'toVersionId'],
    ['REASON', 'reason'],
  ],
};

const names = (members: readonly SecretListItem[]): string[] => members.map((member) => member.name);

function registerMembers(group: Command, context: CliContext): void {
  group
    .command('members')
    .summary("a group's members")
    .argument('<group>', 'the group name')
    .action(async (name: string) => {
      await context.printEach(await groupMembers(context.client(), name), {
        ...LIST_VIEW,
        label: 'members',
        summary: (count) => `${count} member${count === 1 ? '' : 's'}`,
      });
    });
}

function registerDefine(group: Command, context: CliContext): void {
  const command = group
    .command('define')
    .summary('make a group exactly these secrets (safe to repeat)')
    .argument('<group>', 'the group name')
    .argument('<id...>', 'its members')
    .option('--dry-run', 'show who would join and leave; change nothing')
    .action(async (name: string, ids: string[], flags: { dryRun?: boolean }) => {
      const client = context.client();
      if (flags.dryRun === true) {
        const before = names(await groupMembers(client, name));
        const after = await Promise.all(ids.map(async (id) => (await client.describe(id)).name));
        context.print({
          dryRun: true,
          action: 'define',
          group: name,
          added: after.filter((member) => !before.includes(member)),
          removed: before.filter((member) => !after.includes(member)),
        });
        return;
      }
      context.print(await defineGroup(client, name, ids));
    });
  withExamples(command, [
    ['keystage group define payments prod/billing/stripe prod/billing/webhook', 'two members'],
  ]);
}

function registerRotate(group: Command, context: CliContext): void {
  const command = group
    .command('rotate')
    .summary('rotate every member, all or nothing (a failure rolls the others back)')
    .description(
      'Rotates the members one at a time, dependencies first, each waiting for completion. If one ' +
        'fails, the members already rotated are rolled back. The run id is printed first: a run ' +
        'interrupted (the process killed) is finished by running again with --run-id. Exits 1 ' +
        'when a member failed.',
    )
    .argument('<group>', 'the group name')
    .option('--run-id <id>', 'resume the run with this id (default: a new one, printed)')
    .option('--timeout <seconds>', "how long each member's rotation may take (1 to 3600)", '300')
    .option('--dry-run', 'list the members it would rotate; rotate nothing')
    .action(async (name: string, flags: { runId?: string; timeout: string; dryRun?: boolean }) => {
      const timeoutMs = integerFlag(flags.timeout, '--timeout', 1, 3600) * 1000;
      const client = context.client();
      if (flags.dryRun === true) {
        context.print({
          dryRun: true,
          action: 'rotate',
          group: name,
          members: names(await groupMembers(client, name)),
        });
        return;
      }
      const runId = flags.runId ?? randomUUID();
      context.info(
        `group rotate ${name}: run id ${runId} (keystage group rotate ${name} --run-id ${runId} resumes it)`,
      );
      // Each rotation waits for completion, which can take minutes: say who is done as it happens.
      const live = context.progress('rotating');
      const result = await rotateGroup(client, name, {
        runId,
        timeoutMs,
        onMember: (member) => live.tick(`${member.name} ${member.outcome}`),
      }).finally(() => live.done());
      await context.printEach(result.members, {
        ...MEMBER_VIEW,
        label: 'rotate',
        summary: () =>
          result.ok
            ? `${name}: ${result.members.length} rotated`
            : `${name}: not rotated; ${result.members.filter((m) => m.outcome === 'rolled-back').length} rolled back`,
      });
      if (!result.ok) context.setExitCode(EXIT_FAILURE);
    });
  withExamples(command, [
    ['keystage group rotate payments', 'rotate the group'],
    ['keystage group rotate payments --run-id 6f0c... --output table', 'finish an interrupted run'],
  ]);
}

/** `keystage group members|define|rotate`: secrets rotated all or nothing. */
export function registerGroups(program: Command, context: CliContext): void {
  const group = program
    .command('group')
    .summary('groups of secrets rotated all or nothing: members, define, rotate');
  registerMembers(group, context);
  registerDefine(group, context);
  registerRotate(group, context);
}
