import type { Command } from 'commander';
import type { SecretVersion } from '../../client';
import { ValidationError, show } from '../../errors';
import type { CliContext } from '../context';
import { withExamples } from '../help';
import { integerFlag } from '../parse';

const DAY_MS = 86_400_000;

const dryRunOption = (command: Command): Command =>
  command.option('--dry-run', 'show what would change; change nothing');

const when = (date: Date | undefined): string => (date === undefined ? 'date unknown' : date.toISOString());

const versionLine = (version: SecretVersion | undefined, id: string): string =>
  version === undefined ? id : `${id} (created ${when(version.createdAt)})`;

function registerRollback(program: Command, context: CliContext): void {
  const command = dryRunOption(
    program
      .command('rollback')
      .summary('move AWSCURRENT back to AWSPREVIOUS (or --to a version); asks first')
      .description(
        'Moves AWSCURRENT back to the version labelled AWSPREVIOUS, or to --to. Shows the move and ' +
          'asks on a terminal (--yes off one). The move is a compare-and-swap on the version shown: ' +
          'if another writer moved AWSCURRENT meanwhile, it fails with CONFLICT and changes nothing.',
      )
      .argument('<id>', 'secret name (bare with -e), or ARN')
      .option('--to <versionId>', 'the version to make AWSCURRENT (default: AWSPREVIOUS)'),
  ).action(async (id: string, flags: { to?: string; dryRun?: boolean }) => {
    const client = context.client();
    const summary = await client.describe(id);
    const versions = await client.versions(id, { includeDeprecated: true });
    const holding = (stage: string) => versions.find((version) => version.stages.includes(stage));
    const current = holding('AWSCURRENT');
    const target =
      flags.to === undefined ? holding('AWSPREVIOUS') : versions.find((v) => v.versionId === flags.to);
    if (current === undefined) {
      throw new ValidationError('id', `${show(summary.name)} has no AWSCURRENT version to roll back from.`);
    }
    if (target === undefined) {
      throw new ValidationError(
        '--to',
        flags.to === undefined
          ? `${show(summary.name)} has no AWSPREVIOUS version; name one with --to VERSION_ID (keystage versions ${summary.name} --include-deprecated).`
          : `${show(summary.name)} has no version ${show(flags.to)}; keystage versions ${summary.name} --include-deprecated lists them.`,
      );
    }
    const plan = {
      name: summary.name,
      arn: summary.arn,
      fromVersionId: current.versionId,
      toVersionId: target.versionId,
    };
    if (target.versionId === current.versionId) {
      context.info(`AWSCURRENT of ${summary.name} is on ${target.versionId} already: nothing to change.`);
      context.print(plan);
      return;
    }
    if (flags.dryRun === true) {
      context.print({ dryRun: true, action: 'rollback', ...plan });
      return;
    }
    const confirmed = await context.confirm({
      question: `Roll back ${summary.name}?`,
      changes: [
        `rollback ${summary.name}:`,
        `  AWSCURRENT  ${versionLine(current, current.versionId)}`,
        `          ->  ${versionLine(target, target.versionId)}`,
        `  AWSPREVIOUS ->  ${current.versionId}`,
      ],
    });
    if (!confirmed) return;
    context.print(
      await client.rollback(id, { toVersionId: target.versionId, fromVersionId: current.versionId }),
    );
  });
  withExamples(command, [
    ['keystage rollback prod/billing/stripe', 'to AWSPREVIOUS, after a prompt'],
    ['keystage rollback prod/billing/stripe --to 3f1e... --yes', 'to a version, no prompt'],
    ['keystage rollback prod/billing/stripe --dry-run', 'show the move only'],
  ]);
}

function registerRotate(program: Command, context: CliContext): void {
  const command = dryRunOption(
    program
      .command('rotate')
      .summary("start a rotation with the secret's rotation function (--wait for it)")
      .argument('<id>', 'secret name (bare with -e), or ARN')
      .option('--wait', 'wait until the new version is AWSCURRENT')
      .option('--timeout <seconds>', 'how long --wait waits (1 to 3600)', '300')
      .option('--client-request-token <token>', 'idempotency token: the new VersionId'),
  ).action(
    async (
      id: string,
      flags: { wait?: boolean; timeout: string; clientRequestToken?: string; dryRun?: boolean },
    ) => {
      const timeoutMs = integerFlag(flags.timeout, '--timeout', 1, 3600) * 1000;
      const client = context.client();
      if (flags.dryRun === true) {
        const { name, arn, rotation } = await client.describe(id);
        context.print({ dryRun: true, action: 'rotate', name, arn, rotation });
        return;
      }
      if (flags.wait === true) context.info(`rotating ${id}; waiting up to ${timeoutMs / 1000} s`);
      context.print(
        await client.rotate(id, {
          waitForCompletion: flags.wait === true,
          timeoutMs,
          ...(flags.clientRequestToken === undefined ? {} : { clientRequestToken: flags.clientRequestToken }),
        }),
      );
    },
  );
  withExamples(command, [
    ['keystage rotate prod/billing/db --wait', 'rotate and wait for AWSCURRENT to move'],
    ['keystage rotate prod/billing/db --dry-run', 'show the rotation settings'],
  ]);
}

function registerRevoke(program: Command, context: CliContext): void {
  const command = dryRunOption(
    program
      .command('revoke')
      .summary('deny every read of a secret now (restore undoes it); asks first')
      .description(
        'Revokes a secret: a resource policy denies GetSecretValue to every principal, the secret is ' +
          'tagged keystage:status=revoked with the reason, rotation is suspended. Safe to repeat.',
      )
      .argument('<id>', 'secret name (bare with -e), or ARN')
      .requiredOption('--reason <text>', 'why (1 to 256 characters): a tag and the audit event'),
  ).action(async (id: string, flags: { reason: string; dryRun?: boolean }) => {
    const client = context.client();
    const { name, arn, rotation, keystage } = await client.describe(id);
    if (flags.dryRun === true) {
      context.print({
        dryRun: true,
        action: 'revoke',
        name,
        arn,
        status: keystage.status,
        reason: flags.reason,
      });
      return;
    }
    const confirmed = await context.confirm({
      question: `Revoke ${name}?`,
      changes: [
        `revoke ${name}${keystage.status === 'revoked' ? ' (revoked already: the reason is replaced)' : ''}:`,
        '  a resource policy denies GetSecretValue to every principal: every reader fails from now',
        `  tag keystage:status=revoked, reason ${show(flags.reason)}`,
        ...(rotation.enabled ? ['  rotation is suspended (keystage restore resumes it)'] : []),
      ],
    });
    if (!confirmed) return;
    context.print(await client.revoke(id, { reason: flags.reason }));
  });
  withExamples(command, [
    ['keystage revoke prod/billing/stripe --reason "leaked in a build log"', 'after a prompt'],
    ['keystage revoke prod/billing/stripe --reason leak --yes', 'in a script'],
  ]);
}

function registerRestore(program: Command, context: CliContext): void {
  const command = dryRunOption(
    program
      .command('restore')
      .summary('undo revoke: reads allowed again, rotation resumed')
      .argument('<id>', 'secret name (bare with -e), or ARN'),
  ).action(async (id: string, flags: { dryRun?: boolean }) => {
    const client = context.client();
    if (flags.dryRun === true) {
      const { name, arn, keystage } = await client.describe(id);
      context.print({ dryRun: true, action: 'restore', name, arn, status: keystage.status });
      return;
    }
    context.print(await client.restore(id));
  });
  withExamples(command, [['keystage restore prod/billing/stripe', 'after a revoke']]);
}

function registerDelete(program: Command, context: CliContext): void {
  const command = dryRunOption(
    program
      .command('delete')
      .summary('schedule a deletion (7 to 30 days), or --force now; asks first')
      .argument('<id>', 'secret name (bare with -e), or ARN')
      .option('--recovery-window-days <days>', 'days before it is gone (7 to 30; default 30)')
      .option('--force', 'delete at once, with no recovery'),
  ).action(async (id: string, flags: { recoveryWindowDays?: string; force?: boolean; dryRun?: boolean }) => {
    if (flags.force === true && flags.recoveryWindowDays !== undefined) {
      throw new ValidationError(
        '--force',
        'Pass either --force (delete now) or --recovery-window-days (delete later), not both.',
      );
    }
    const days =
      flags.recoveryWindowDays === undefined
        ? 30
        : integerFlag(flags.recoveryWindowDays, '--recovery-window-days', 7, 30);
    const client = context.client();
    const { name, arn } = await client.describe(id);
    const force = flags.force === true;
    const gone = new Date(Date.now() + days * DAY_MS);
    if (flags.dryRun === true) {
      context.print({
        dryRun: true,
        action: 'delete',
        name,
        arn,
        ...(force ? { force: true } : { recoveryWindowDays: days, deletionDate: gone }),
      });
      return;
    }
    const confirmed = await context.confirm({
      question: `Delete ${name}?`,
      changes: force
        ? [`delete ${name} now, with every version: it cannot be recovered`]
        : [
            `schedule the deletion of ${name} in ${days} days (about ${when(gone)})`,
            `  reads fail until then; keystage undelete ${name} cancels it`,
          ],
    });
    if (!confirmed) return;
    context.print(await client.delete(id, force ? { force: true } : { recoveryWindowDays: days }));
  });
  withExamples(command, [
    ['keystage delete dev/billing/scratch --recovery-window-days 7', 'after a prompt'],
    ['keystage delete dev/billing/scratch --force --yes', 'now, in a script'],
  ]);
}

function registerUndelete(program: Command, context: CliContext): void {
  const command = dryRunOption(
    program
      .command('undelete')
      .summary('cancel a scheduled deletion')
      .argument('<id>', 'secret name (bare with -e), or ARN'),
  ).action(async (id: string, flags: { dryRun?: boolean }) => {
    const client = context.client();
    if (flags.dryRun === true) {
      const { name, arn, deletionDate } = await client.describe(id);
      context.print({ dryRun: true, action: 'undelete', name, arn, deletionDate });
      return;
    }
    context.print(await client.undelete(id));
  });
  withExamples(command, [['keystage undelete dev/billing/scratch', 'before the window ends']]);
}

/** `keystage rollback`, `rotate`, `revoke`, `restore`, `delete` and `undelete`. */
export function registerLifecycle(program: Command, context: CliContext): void {
  registerRollback(program, context);
  registerRotate(program, context);
  registerRevoke(program, context);
  registerRestore(program, context);
  registerDelete(program, context);
  registerUndelete(program, context);
}
