import type { Command } from 'commander';
import { ValidationError, show } from '../../errors';
import {
  copyEnvironment,
  type CopyEntry,
  type CopyEnvironmentOptions,
  type CopyTransform,
} from '../../transfer';
import type { CliContext } from '../context';
import { withExamples } from '../help';
import type { TableView } from '../output';
import { collect } from '../parse';

interface CopyFlags {
  readonly service: string[];
  readonly exclude: string[];
  readonly transform: string[];
  readonly transformValues: string[];
  readonly regenerate: string[];
  readonly overwrite: boolean;
  readonly kmsKeyId?: string;
  readonly dryRun?: boolean;
}

const COPY_VIEW: TableView = {
  columns: [
    ['ACTION', 'action'],
    ['SOURCE', 'source'],
    ['TARGET', 'target'],
    ['DETAIL', 'detail'],
  ],
};

/** How many planned overwrites the confirmation lists by name before it counts the rest. */
const LISTED = 20;

/** `FIND=REPLACE` as a transform of `scope`. */
function transforms(pairs: readonly string[], flag: string, scope: CopyTransform['in']): CopyTransform[] {
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) {
      throw new ValidationError(flag, `${flag} takes FIND=REPLACE, e.g. _live_=_test_; got ${show(pair)}.`);
    }
    return {
      replace: pair.slice(0, at),
      with: pair.slice(at + 1),
      ...(scope === undefined ? {} : { in: scope }),
    };
  });
}

/** An entry with one column saying why it is skipped, what an update changes, or who refused it. */
function row(entry: CopyEntry): CopyEntry & { readonly detail: string | undefined } {
  const detail =
    entry.action === 'skip'
      ? entry.reason
      : entry.denied !== undefined
        ? `denied: ${entry.denied.reason}`
        : entry.action === 'update'
          ? entry.changes.join(',')
          : entry.regenerate
            ? 'regenerated'
            : undefined;
  return { ...entry, detail };
}

function registerCopy(env: Command, context: CliContext): void {
  const command = env
    .command('copy')
    .summary('copy the secrets of one environment to another')
    .description(
      'Copies {from}/{service}/{name} to {to}/{service}/{name}: it plans with reads first (create, ' +
        'update or skip with a reason), then writes. Overwriting existing secrets asks first (--yes ' +
        'off a terminal). Idempotent: an interrupted copy run again finishes without a duplicate ' +
        'version, and a finished one writes nothing. Values are never printed.',
    )
    .argument('<from>', 'the source environment')
    .argument('<to>', 'the target environment')
    .option('--service <service>', 'only this service (repeatable)', collect, [])
    .option(
      '--exclude <glob>',
      'leave out names matching it, e.g. billing/legacy-* (repeatable)',
      collect,
      [],
    )
    .option('--transform <find=replace>', 'rewrite names and JSON keys (repeatable)', collect, [])
    .option(
      '--transform-values <find=replace>',
      'rewrite string values, e.g. hosts (repeatable)',
      collect,
      [],
    )
    .option(
      '--regenerate <glob>',
      'give matching secrets a fresh value in the target (repeatable)',
      collect,
      [],
    )
    .option('--no-overwrite', 'create missing secrets only; leave existing ones alone')
    .option('--kms-key-id <key>', 'the KMS key that encrypts the secrets created')
    .option('--dry-run', 'plan and show it; write nothing');
  command.action(async (from: string, to: string, flags: CopyFlags) => {
    const options: CopyEnvironmentOptions = {
      from,
      to,
      ...(flags.service.length === 0 ? {} : { services: flags.service }),
      ...(flags.exclude.length === 0 ? {} : { exclude: flags.exclude }),
      transform: [
        ...transforms(flags.transform, '--transform', undefined),
        ...transforms(flags.transformValues, '--transform-values', ['values']),
      ],
      ...(flags.regenerate.length === 0 ? {} : { regenerate: flags.regenerate }),
      overwrite: flags.overwrite,
      ...(flags.kmsKeyId === undefined ? {} : { kmsKeyId: flags.kmsKeyId }),
    };
    const client = context.client();
    const plan = await copyEnvironment(client, { ...options, dryRun: true });
    const summary = (counts: { create: number; update: number; skip: number }, done: boolean) =>
      `${from} -> ${to}: ${counts.create} ${done ? 'created' : 'to create'}, ${counts.update} ${done ? 'updated' : 'to update'}, ${counts.skip} skipped`;
    if (flags.dryRun === true) {
      await context.printEach(plan.entries.map(row), {
        ...COPY_VIEW,
        label: 'copy',
        summary: () => summary(plan.counts, false),
      });
      return;
    }
    const overwrites = plan.entries.filter(
      (entry) => entry.action === 'update' && entry.changes.includes('value'),
    );
    if (overwrites.length > 0) {
      const confirmed = await context.confirm({
        question: `Copy ${from} to ${to}, overwriting ${overwrites.length} secret${overwrites.length === 1 ? '' : 's'}?`,
        changes: [
          `copy ${from} -> ${to}: ${plan.counts.create} to create, ${plan.counts.update} to update, ${plan.counts.skip} to skip`,
          ...overwrites
            .slice(0, LISTED)
            .map((entry) => `  new value for ${entry.target} (from ${entry.source})`),
          ...(overwrites.length > LISTED ? [`  and ${overwrites.length - LISTED} more`] : []),
        ],
      });
      if (!confirmed) return;
    }
    const writes = plan.entries.filter((entry) => entry.action !== 'skip').length;
    const live = context.progress('copying', plan.entries.length);
    const result = await copyEnvironment(client, {
      ...options,
      onEntry: (entry) => live.tick(writes === 0 ? entry.source : `${entry.source} -> ${entry.target}`),
    }).finally(() => live.done());
    await context.printEach(result.entries.map(row), {
      ...COPY_VIEW,
      label: 'copy',
      name: (entry) => entry.source,
      summary: () => summary(result.counts, true),
    });
  });
  withExamples(command, [
    ['keystage env copy prod staging --dry-run --output table', 'the plan, as a table'],
    [
      'keystage env copy prod staging --regenerate "**" --transform-values .prod.internal=.staging.internal',
      'fresh values, staging hosts',
    ],
    ['keystage env copy prod dev --service billing --no-overwrite', 'create what dev lacks'],
  ]);
}

/** `keystage env copy`: environments as a whole. */
export function registerEnvironments(program: Command, context: CliContext): void {
  const env = program.command('env').summary('work on whole environments: env copy');
  registerCopy(env, context);
}
