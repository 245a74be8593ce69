import type { Command } from 'commander';
import type { ListOptions } from '../../client';
import { ValidationError, show } from '../../errors';
import {
  ImportRefusedError,
  exportSecrets,
  importSecrets,
  type ExportOutcome,
  type ExportOptions,
  type ExportSummary,
  type ImportOptions,
  type ImportOutcome,
} from '../../transfer';
import type { CliContext } from '../context';
import { EXIT_FAILURE } from '../exit-codes';
import { withExamples, type Example } from '../help';
import type { TableView } from '../output';
import { integerFlag } from '../parse';
import {
  bundleProtection,
  checkProtectionFlags,
  protectionOptions,
  streamed,
  type ProtectionFlags,
} from './bundle-options';
import { LIST_VIEW } from './inspect';

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** `--tag key` or `--tag key=value`, as list takes it. */
function tagFilter(tag: string): NonNullable<ListOptions['tag']> {
  const at = tag.indexOf('=');
  if (tag === '' || at === 0) {
    throw new ValidationError(
      '--tag',
      `--tag takes KEY or KEY=VALUE, e.g. owner=team-billing; got ${show(tag)}.`,
    );
  }
  return at < 0 ? { key: tag } : { key: tag.slice(0, at), value: tag.slice(at + 1) };
}

interface ExportFlags extends ProtectionFlags {
  readonly out?: string;
  readonly service?: string;
  readonly prefix?: string;
  readonly tag?: string;
  readonly allVersions?: boolean;
  readonly dryRun?: boolean;
}

const EXPORT_VIEW: TableView = {
  columns: [
    ['STATUS', 'status'],
    ['NAME', 'name'],
    ['VERSIONS', 'versions'],
    ['CODE', 'code'],
    ['REASON', 'reason'],
  ],
};

type Selection =
  | { readonly kind: 'environment'; readonly environment: string; readonly service: string | undefined }
  | { readonly kind: 'ids'; readonly ids: readonly string[] }
  | { readonly kind: 'listing'; readonly list: ListOptions };

function selection(context: CliContext, ids: readonly string[], flags: ExportFlags): Selection {
  const listing = flags.prefix !== undefined || flags.tag !== undefined;
  if (ids.length > 0) {
    if (listing || flags.service !== undefined) {
      throw new ValidationError(
        'arguments',
        'Export named secrets, or select them with --prefix/--tag/--service: not both.',
      );
    }
    return { kind: 'ids', ids };
  }
  const environment = context.globals().environment ?? context.io.env.KEYSTAGE_ENVIRONMENT;
  if (listing) {
    return {
      kind: 'listing',
      list: {
        ...(flags.prefix === undefined ? {} : { prefix: flags.prefix }),
        ...(flags.tag === undefined ? {} : { tag: tagFilter(flags.tag) }),
        ...(flags.service === undefined ? {} : { service: flags.service }),
      },
    };
  }
  if (environment === undefined) {
    throw new ValidationError(
      '--environment',
      'keystage export needs what to export: -e ENVIRONMENT [--service SERVICE], --prefix PREFIX, --tag KEY[=VALUE], or secret ids.',
    );
  }
  return { kind: 'environment', environment, service: flags.service };
}

/** The names a selection covers, from metadata only (a dry run, or --prefix/--tag). */
async function* selectedNames(context: CliContext, chosen: Selection): AsyncGenerator<{ name: string }> {
  const client = context.client();
  if (chosen.kind === 'ids') {
    for (const id of chosen.ids) yield await client.describe(id);
    return;
  }
  const options: ListOptions =
    chosen.kind === 'listing'
      ? chosen.list
      : {
          environment: chosen.environment,
          ...(chosen.service === undefined ? {} : { service: chosen.service }),
        };
  yield* client.list(options);
}

/** What exportSecrets selects by: an environment (and service), or ids (--prefix/--tag listed first). */
async function exportScope(
  context: CliContext,
  chosen: Selection,
): Promise<Pick<ExportOptions, 'environment' | 'service' | 'ids'>> {
  if (chosen.kind === 'ids') return { ids: chosen.ids };
  if (chosen.kind === 'environment') {
    return {
      environment: chosen.environment,
      ...(chosen.service === undefined ? {} : { service: chosen.service }),
    };
  }
  const ids: string[] = [];
  for await (const item of context.client().list(chosen.list)) ids.push(item.name);
  if (ids.length === 0) {
    throw new ValidationError('--prefix', 'No secret matches --prefix/--tag: nothing was exported.');
  }
  return { ids };
}

function registerExport(program: Command, context: CliContext): void {
  const command = program
    .command('export')
    .summary('export secrets to an encrypted, authenticated bundle')
    .description(
      'Writes the secrets of an environment (-e, optionally --service), of a --prefix or --tag, or ' +
        'the secrets named, to a keystage bundle: encrypted under a KMS key (--bundle-key) or a ' +
        'passphrase (--passphrase-file, KEYSTAGE_PASSPHRASE, or a prompt), and authenticated as a ' +
        'whole. --out FILE is written to a temporary file (mode 0600) and renamed into place, so an ' +
        'interrupted export leaves no bundle; --out - writes the bundle to stdout (never to a ' +
        'terminal) and the report to stderr. A secret that cannot be read is reported and left ' +
        'out; the export then exits 1. Values are never printed.',
    )
    .argument('[id...]', 'the secrets to export (instead of a selection)')
    .option('--out <path>', 'where the bundle goes ("-": stdout)')
    .option('--service <service>', 'with -e: only this service')
    .option('--prefix <prefix>', 'the secrets whose name starts with it')
    .option('--tag <key[=value]>', 'the secrets with this tag')
    .option('--all-versions', 'every labelled version (AWSPREVIOUS, AWSPENDING, custom), not only AWSCURRENT')
    .option('--dry-run', 'list the secrets it would export; read no value, write nothing');
  protectionOptions(command);
  command.action(async (ids: string[], flags: ExportFlags) => {
    const chosen = selection(context, ids, flags);
    checkProtectionFlags(flags);
    if (flags.out === undefined || flags.out === '') {
      throw new ValidationError('--out', 'keystage export needs --out FILE (or --out - for stdout).');
    }
    const out = flags.out;
    const toStdout = out === '-';
    if (toStdout && context.io.stdout.isTTY === true) {
      throw new ValidationError(
        '--out',
        'stdout is a terminal: a bundle is binary. Redirect it (--out - > prod.bundle) or give --out FILE.',
      );
    }
    if (flags.dryRun === true) {
      await context.printEach(selectedNames(context, chosen), {
        ...LIST_VIEW,
        label: 'export',
        summary: (count) => `export --dry-run: ${plural(count, 'secret')} would be exported to ${out}`,
      });
      return;
    }
    const client = context.client();
    const protection = await bundleProtection(context, flags, true);
    const scope = await exportScope(context, chosen);
    let done: ExportSummary | undefined;
    const { items, result } = streamed<ExportOutcome, ExportSummary>((push) =>
      exportSecrets(client, {
        ...scope,
        destination: toStdout ? context.io.stdout : out,
        protection,
        versions: flags.allVersions === true ? 'all-labelled' : 'current',
        report: 'counts',
        onSecret: push,
      }).then((summary) => (done = summary)),
    );
    const summary = ({ secrets, versions, failures, bundle }: ExportSummary): string =>
      `export: ${plural(secrets, 'secret')}, ${plural(versions, 'version')}` +
      `${failures > 0 ? `, ${failures} not exported` : ''} -> ${out} (bundle ${bundle.bundleId})`;
    if (toStdout) {
      // stdout is the bundle: the outcomes go to stderr, as progress and failures.
      const progress = context.progress('export');
      try {
        for await (const outcome of items) {
          progress.tick(outcome.name);
          if (outcome.status === 'failed') {
            context.warn(`${outcome.name} not exported: ${outcome.code}: ${outcome.reason}`);
          }
        }
      } finally {
        progress.done(done === undefined ? undefined : summary(done));
      }
    } else {
      await context.printEach(items, { ...EXPORT_VIEW, label: 'export', name: (outcome) => outcome.name });
      context.info(summary(await result));
    }
    if ((await result).failures > 0) context.setExitCode(EXIT_FAILURE);
  });
  withExamples(command, [
    [
      'keystage export -e prod --out prod.bundle --bundle-key arn:aws:kms:...:key/...',
      'an environment, under KMS',
    ],
    [
      'keystage export -e prod --service billing --out billing.bundle --passphrase-file pass.txt',
      'one service, a passphrase',
    ],
    [
      'keystage export prod/billing/db --all-versions --out - --bundle-key $KEY > db.bundle',
      'every labelled version, to stdout',
    ],
    [
      'keystage export --prefix prod/billing/ --out x.bundle --dry-run --output table',
      'what it would export',
    ],
  ]);
}

interface ImportFlags extends ProtectionFlags {
  readonly overwrite?: boolean;
  readonly map?: string;
  readonly setEnvironment?: string;
  readonly kmsKeyId?: string;
  readonly validate: boolean;
  readonly concurrency: string;
  readonly dryRun?: boolean;
}

const IMPORT_VIEW: TableView = {
  columns: [
    ['ACTION', 'action'],
    ['NAME', 'name'],
    ['SOURCE', 'source'],
    ['VERSIONS', 'versions'],
    ['REASON', 'reason'],
  ],
};

/** How many planned overwrites the confirmation lists by name before it counts the rest. */
const LISTED = 20;

/** How many problems ImportRefusedError's message names; beyond that, the command lists them. */
const SHOWN_PROBLEMS = 10;

/** `--map FROM=TO`: a name prefix and its replacement. */
function prefixMap(pair: string): { from: string; to: string } {
  const at = pair.indexOf('=');
  if (at <= 0) {
    throw new ValidationError(
      '--map',
      `--map takes FROM=TO (name prefixes), e.g. prod/=staging/; got ${show(pair)}.`,
    );
  }
  return { from: pair.slice(0, at), to: pair.slice(at + 1) };
}

const IMPORT_EXAMPLES: readonly Example[] = [
  [
    'keystage import prod.bundle --bundle-key arn:aws:kms:...:key/... --dry-run --output table',
    'check and plan',
  ],
  [
    'keystage import prod.bundle --passphrase-file pass.txt --map prod/=staging/ --set-environment staging',
    'prod into staging',
  ],
  ['keystage import prod.bundle --bundle-key $KEY --overwrite --yes', 'overwrite, off a terminal'],
];

function registerImport(program: Command, context: CliContext): void {
  const command = program
    .command('import')
    .summary('import a bundle that keystage export wrote')
    .description(
      'Reads the bundle twice: first it authenticates it and checks every entry (names, kinds, ' +
        'checksums, conflicts with what exists), and a bundle with any problem writes nothing (exit ' +
        '2, each problem named); then it writes. Secrets that exist are skipped unless --overwrite, ' +
        'which gives them a new version: it shows which and asks first (--yes off a terminal). ' +
        'Idempotent: an interrupted import run again finishes without a duplicate version. Values ' +
        'are never printed.',
    )
    .argument('<file>', 'the bundle')
    .option('--overwrite', 'write a new version of secrets that exist (asks first)')
    .option('--map <from=to>', 'rename on the way in: replace a leading name prefix, e.g. prod/=staging/')
    .option('--set-environment <name>', 'tag every imported secret keystage:environment=<name>')
    .option('--kms-key-id <key>', 'the KMS key that encrypts the secrets it creates')
    .option('--no-validate', "do not check values against their kind's shape")
    .option('--concurrency <n>', 'secrets written at a time (1 to 16)', '4')
    .option('--dry-run', 'check the bundle and plan; write nothing');
  protectionOptions(command);
  command.action(async (file: string, flags: ImportFlags) => {
    try {
      await runImport(context, file, flags);
    } catch (error) {
      // The error's message lists the first problems only: every one is named here.
      if (error instanceof ImportRefusedError && error.problems.length > SHOWN_PROBLEMS) {
        for (const { name, field, message } of error.problems) {
          context.warn(`import: ${name === undefined ? '' : `${JSON.stringify(name)} `}${field}: ${message}`);
        }
      }
      throw error;
    }
  });
  withExamples(command, IMPORT_EXAMPLES);
}

async function runImport(context: CliContext, file: string, flags: ImportFlags): Promise<void> {
  if (file === '-') {
    throw new ValidationError(
      'file',
      'keystage import reads the bundle twice (check, then write): give a file, not stdin.',
    );
  }
  checkProtectionFlags(flags);
  const concurrency = integerFlag(flags.concurrency, '--concurrency', 1, 16);
  const client = context.client();
  const protection = await bundleProtection(context, flags, false);
  const options: ImportOptions = {
    protection,
    overwrite: flags.overwrite === true,
    validate: flags.validate,
    concurrency,
    ...(flags.map === undefined ? {} : { map: prefixMap(flags.map) }),
    ...(flags.setEnvironment === undefined ? {} : { environment: flags.setEnvironment }),
    ...(flags.kmsKeyId === undefined ? {} : { kmsKeyId: flags.kmsKeyId }),
  };
  const counted = (counts: Readonly<Record<string, number>>, dryRun: boolean): string =>
    `import${dryRun ? ' --dry-run' : ''} ${file}: ${counts.created} ${dryRun ? 'to create' : 'created'}, ` +
    `${counts.updated} ${dryRun ? 'to update' : 'updated'}, ${counts.unchanged} unchanged, ${counts.skipped} skipped`;
  if (flags.overwrite === true && flags.dryRun !== true) {
    const plan = await importSecrets(client, file, { ...options, dryRun: true, report: 'secrets' });
    const updates = plan.secrets.filter((outcome) => outcome.action === 'updated');
    if (updates.length > 0) {
      const confirmed = await context.confirm({
        question: `Import ${file}, writing a new version of ${plural(updates.length, 'existing secret')}?`,
        changes: [
          counted(plan.counts, true),
          ...updates
            .slice(0, LISTED)
            .map((outcome) => `  new version of ${outcome.name} (from ${outcome.source})`),
          ...(updates.length > LISTED ? [`  and ${updates.length - LISTED} more`] : []),
        ],
      });
      if (!confirmed) return;
    }
  }
  const dryRun = flags.dryRun === true;
  let done: { counts: Readonly<Record<string, number>> } | undefined;
  const { items, result } = streamed<ImportOutcome, unknown>((push) =>
    importSecrets(client, file, { ...options, dryRun, report: 'counts', onSecret: push }).then(
      (summary) => (done = summary),
    ),
  );
  await context.printEach(items, {
    ...IMPORT_VIEW,
    label: 'import',
    name: (outcome) => outcome.name,
  });
  await result;
  if (done !== undefined) context.info(counted(done.counts, dryRun));
}

/** `keystage export` and `keystage import`: secrets in encrypted, authenticated bundles. */
export function registerTransfer(program: Command, context: CliContext): void {
  registerExport(program, context);
  registerImport(program, context);
}
