import type { Command } from 'commander';
import { ValidationError } from '../../errors';
import {
  createBackup,
  restoreBackup,
  verifyBackup,
  type RestoreResult,
  type SecretRestoreReport,
} from '../../transfer';
import type { CliContext } from '../context';
import { EXIT_FAILURE } from '../exit-codes';
import { withExamples } from '../help';
import type { TableView } from '../output';
import { LIST_VIEW } from './inspect';
import {
  bundleProtection,
  checkProtectionFlags,
  protectionOptions,
  type ProtectionFlags,
} from './bundle-options';

interface CreateFlags extends ProtectionFlags {
  readonly out?: string;
  readonly dryRun?: boolean;
}

interface RestoreFlags extends ProtectionFlags {
  readonly rollback: boolean;
  readonly verify: boolean;
  readonly dryRun?: boolean;
}

const RESTORE_VIEW: TableView = {
  columns: [
    ['NAME', 'name'],
    ['ACTION', 'action'],
    ['STATUS', 'status'],
    ['CHANGES', 'changes'],
    ['ERROR', 'error'],
  ],
};

/** How many secrets the confirmation lists by name before it counts the rest. */
const LISTED = 20;

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The environment of this run: -e, else KEYSTAGE_ENVIRONMENT; none means every secret. */
const environmentOf = (context: CliContext): string | undefined =>
  context.globals().environment ?? context.io.env.KEYSTAGE_ENVIRONMENT;

/** A secret's part of a restore as a row: its steps by type, its error by code. Never a value. */
function row(report: SecretRestoreReport): Record<string, unknown> {
  return {
    name: report.name,
    action: report.action,
    status: report.status,
    changes: report.steps.map((step) => step.type).join(','),
    steps: report.steps,
    ...(report.rollbackSteps === undefined ? {} : { rollbackSteps: report.rollbackSteps }),
    error: report.error === undefined ? undefined : `${report.error.code}: ${report.error.message}`,
  };
}

function registerCreate(backup: Command, context: CliContext): void {
  const command = backup
    .command('create')
    .summary('back up secrets to an encrypted bundle')
    .description(
      'Backs up every secret (or those of -e ENVIRONMENT) with every labelled version, tags, ' +
        'resource policy, rotation settings, replicas, description and KMS key, encrypted under a KMS ' +
        'key (--bundle-key) or a passphrase (--passphrase-file, KEYSTAGE_PASSPHRASE, or a prompt). ' +
        '--out FILE is written to a temporary file (mode 0600) and renamed into place, so an ' +
        'interrupted backup leaves none: run it again. Secrets scheduled for deletion are listed as ' +
        'skipped. Values are never printed.',
    )
    .option('--out <path>', 'where the backup goes ("-": stdout)')
    .option('--dry-run', 'list the secrets it would back up; read no value, write nothing');
  protectionOptions(command);
  command.action(async (flags: CreateFlags) => {
    checkProtectionFlags(flags);
    if (flags.out === undefined || flags.out === '') {
      throw new ValidationError('--out', 'keystage backup create needs --out FILE (or --out - for stdout).');
    }
    const toStdout = flags.out === '-';
    if (toStdout && context.io.stdout.isTTY === true) {
      throw new ValidationError(
        '--out',
        'stdout is a terminal: a backup is binary. Redirect it (--out - > prod.ksb) or give --out FILE.',
      );
    }
    const environment = environmentOf(context);
    const client = context.client();
    if (flags.dryRun === true) {
      await context.printEach(
        client.list({ ...(environment === undefined ? {} : { environment }), scoped: false }),
        {
          ...LIST_VIEW,
          label: 'backup',
          summary: (count) =>
            `backup create --dry-run: ${plural(count, 'secret')} would be backed up to ${flags.out}`,
        },
      );
      return;
    }
    const protection = await bundleProtection(context, flags, true);
    const live = context.progress('backing up');
    const result = await createBackup(client, {
      destination: toStdout ? context.io.stdout : flags.out,
      protection,
      ...(environment === undefined ? {} : { environments: [environment] }),
      onSecret: (secret) => live.tick(secret.outcome === 'skipped' ? `${secret.name} skipped` : secret.name),
    }).finally(() => live.done());
    const summary =
      `backup create: ${plural(result.secrets, 'secret')}, ${plural(result.versions, 'version')}` +
      `${result.skipped.length > 0 ? `, ${result.skipped.length} skipped` : ''} -> ${flags.out} (bundle ${result.bundleId})`;
    // With --out -, stdout is the backup: the report goes to stderr.
    if (toStdout) context.info(summary);
    else {
      context.print(result);
      context.info(summary);
    }
  });
  withExamples(command, [
    ['keystage backup create -e prod --out prod.ksb --bundle-key arn:aws:kms:...:key/...', 'prod, under KMS'],
    ['keystage backup create --out all.ksb --passphrase-file pass.txt', 'every secret, a passphrase'],
    ['keystage backup create -e prod --out - --bundle-key $KEY | aws s3 cp - s3://backups/prod.ksb', 'to S3'],
  ]);
}

function registerVerify(backup: Command, context: CliContext): void {
  const command = backup
    .command('verify')
    .summary('check a backup end to end; restore nothing')
    .description(
      "Authenticates the backup to its end and checks every record and every value's checksum; " +
        'prints what it holds (secrets, versions, environments), never a value. A damaged or ' +
        'altered backup, or the wrong key or passphrase, exits 10 (DECODE_ERROR); a record that is ' +
        'not as a backup has it exits 2.',
    )
    .argument('<file>', 'the backup');
  protectionOptions(command);
  command.action(async (file: string, flags: ProtectionFlags) => {
    const given = await bundleProtection(context, flags, false);
    // verifyBackup has no SecretsClient to take a KMS client from: the one the options make.
    const protection = 'kms' in given ? { kms: { ...given.kms, kms: context.client().kms } } : given;
    const result = await verifyBackup(file, { protection });
    context.print(result);
    context.info(
      `backup verify ${file}: intact; ${plural(result.secrets, 'secret')}, ${plural(result.versions, 'version')}, written ${result.createdAt}`,
    );
  });
  withExamples(command, [
    ['keystage backup verify prod.ksb --bundle-key arn:aws:kms:...:key/...', 'exit 0 when intact'],
    ['keystage backup verify prod.ksb --passphrase-file pass.txt --query secrets --output text', 'its count'],
  ]);
}

function registerRestore(backup: Command, context: CliContext): void {
  const command = backup
    .command('restore')
    .summary('restore secrets from a backup, as it has them (asks first)')
    .description(
      'Plans first (reads the targets), shows what will change and asks (--yes off a terminal), ' +
        'then restores one secret at a time: creates what is missing, brings back what is scheduled ' +
        'for deletion, and updates what exists to the backup (versions, labels, tags, policy, ' +
        'rotation, replicas). The backup is checked end to end before the first write. A failure ' +
        'part-way returns every secret touched to its prior state (unless --no-rollback) and exits ' +
        '1; running it again finishes the job without writing any version twice. -e restores only ' +
        'that environment.',
    )
    .argument('<file>', 'the backup')
    .option('--no-rollback', 'on a failure, leave the secrets restored so far (rerun to finish)')
    .option('--no-verify', 'do not check the whole backup before the first write')
    .option('--dry-run', 'show the plan; write nothing');
  protectionOptions(command);
  command.action(async (file: string, flags: RestoreFlags) => {
    checkProtectionFlags(flags);
    const environment = environmentOf(context);
    const client = context.client();
    const protection = await bundleProtection(context, flags, false);
    const options = {
      protection,
      ...(environment === undefined ? {} : { environment }),
      rollbackOnFailure: flags.rollback,
      verify: flags.verify,
    };
    const plan = await restoreBackup(client, file, { ...options, dryRun: true });
    const changing = plan.secrets.filter((secret) => secret.steps.length > 0);
    const counts = (result: RestoreResult): string =>
      `${plural(result.secrets.length, 'secret')}` +
      `${result.skipped > 0 ? ` (${result.skipped} of other environments left out)` : ''}`;
    if (flags.dryRun === true || changing.length === 0) {
      await context.printEach(plan.secrets.map(row), { ...RESTORE_VIEW, label: 'restore' });
      context.info(
        `backup restore ${file}${flags.dryRun === true ? ' --dry-run' : ''}: ${counts(plan)}, ${changing.length} to change`,
      );
      return;
    }
    const confirmed = await context.confirm({
      question: `Restore ${plural(changing.length, 'secret')} from ${file}?`,
      changes: [
        `restore ${file}: ${counts(plan)}, ${changing.length} to change`,
        ...changing
          .slice(0, LISTED)
          .map(
            (secret) =>
              `  ${secret.action} ${secret.name}: ${secret.steps.map((step) => step.type).join(', ')}`,
          ),
        ...(changing.length > LISTED ? [`  and ${changing.length - LISTED} more`] : []),
      ],
    });
    if (!confirmed) return;
    const live = context.progress('restoring', plan.secrets.length);
    const result = await restoreBackup(client, file, {
      ...options,
      onSecret: (secret) => live.tick(`${secret.name} ${secret.status}`),
    }).finally(() => live.done());
    await context.printEach(result.secrets.map(row), { ...RESTORE_VIEW, label: 'restore' });
    context.info(`backup restore ${file}: ${result.outcome}; ${counts(result)}`);
    if (result.failure !== undefined) {
      context.warn(
        `${result.failure.secret === undefined ? 'the backup' : result.failure.secret}: ${result.failure.code}: ${result.failure.message}`,
      );
    }
    if (result.outcome !== 'restored') context.setExitCode(EXIT_FAILURE);
  });
  withExamples(command, [
    [
      'keystage backup restore prod.ksb --bundle-key arn:aws:kms:...:key/... --dry-run --output table',
      'the plan',
    ],
    ['keystage backup restore prod.ksb -e prod --passphrase-file pass.txt', 'prod only; asks first'],
    ['keystage backup restore prod.ksb --bundle-key $KEY --yes', 'off a terminal'],
  ]);
}

/** `keystage backup create|verify|restore`: whole-account backups in encrypted bundles. */
export function registerBackup(program: Command, context: CliContext): void {
  const backup = program
    .command('backup')
    .summary('encrypted backups of secrets with every labelled version: create, verify, restore');
  registerCreate(backup, context);
  registerVerify(backup, context);
  registerRestore(backup, context);
}
