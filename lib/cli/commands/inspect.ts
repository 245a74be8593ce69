import type { Command } from 'commander';
import type { ListOptions, SecretListItem } from '../../client';
import { ValidationError } from '../../errors';
import type { CliContext } from '../context';
import { withExamples } from '../help';
import type { TableView } from '../output';

interface ListFlags {
  readonly prefix?: string;
  readonly service?: string;
  readonly tag?: string;
  readonly includeDeleted?: boolean;
  readonly all?: boolean;
}

/** What `list` shows in a table or as text; JSON and YAML have every field. */
export const LIST_VIEW: TableView = {
  columns: [
    ['NAME', 'name'],
    ['KIND', 'keystage.kind'],
    ['STATUS', 'keystage.status'],
    ['ROTATION', 'rotation.enabled'],
    ['CHANGED', 'lastChangedAt'],
    ['DELETION', 'deletionDate'],
  ],
};

const VERSIONS_VIEW: TableView = {
  columns: [
    ['VERSION', 'versionId'],
    ['STAGES', 'stages'],
    ['CREATED', 'createdAt'],
    ['LAST ACCESSED', 'lastAccessedAt'],
  ],
};

/** `--tag key` or `--tag key=value`. */
function tagFilter(tag: string): NonNullable<ListOptions['tag']> {
  const at = tag.indexOf('=');
  if (at === 0 || tag === '') {
    throw new ValidationError(
      '--tag',
      `--tag takes KEY or KEY=VALUE, e.g. owner=team-billing; got "${tag}".`,
    );
  }
  return at < 0 ? { key: tag } : { key: tag.slice(0, at), value: tag.slice(at + 1) };
}

function registerList(program: Command, context: CliContext): void {
  const command = program
    .command('list')
    .summary('list secrets (names and metadata, never values)')
    .description(
      'Lists the secrets of the environment (-e) and service, across every page. With --output json ' +
        'one JSON object per line (NDJSON) as they arrive; a progress line on a terminal.',
    )
    .option('--prefix <prefix>', 'names starting with this')
    .option('--service <service>', 'secrets of this service (default: KEYSTAGE_SERVICE)')
    .option('--tag <key[=value]>', 'secrets with this tag (and value)')
    .option('--include-deleted', 'include secrets scheduled for deletion')
    .option('--all', 'ignore KEYSTAGE_ENVIRONMENT and KEYSTAGE_SERVICE: every secret the filters match');
  command.action(async (flags: ListFlags) => {
    if (flags.all === true && context.globals().environment !== undefined) {
      throw new ValidationError(
        '--all',
        '--all ignores the environment, and -e names one: pass one of them.',
      );
    }
    const items = context.client().list({
      ...(flags.prefix === undefined ? {} : { prefix: flags.prefix }),
      ...(flags.service === undefined ? {} : { service: flags.service }),
      ...(flags.tag === undefined ? {} : { tag: tagFilter(flags.tag) }),
      ...(flags.includeDeleted === true ? { includeScheduledForDeletion: true } : {}),
      ...(flags.all === true ? { scoped: false } : {}),
    });
    await context.printEach<SecretListItem>(items, {
      ...LIST_VIEW,
      label: 'list',
      name: (item) => item.name,
      summary: (count) => `${count} secret${count === 1 ? '' : 's'}`,
    });
  });
  withExamples(command, [
    ['keystage list -e prod --output table', 'a table of prod'],
    ['keystage list --prefix prod/billing/ --query "[].name" --output text', 'names only'],
    ['keystage list -e prod --output json | jq -r .name', 'NDJSON, one secret a line'],
  ]);
}

function registerDescribe(program: Command, context: CliContext): void {
  const command = program
    .command('describe')
    .summary('everything about a secret but its value')
    .argument('<id>', 'secret name (bare with -e), or ARN')
    .action(async (id: string) => {
      context.print(await context.client().describe(id));
    });
  withExamples(command, [
    ['keystage describe prod/billing/db --output table', 'rotation, versions, tags'],
    ['keystage describe prod/billing/db --query rotation.nextRotationAt --output text', 'one field'],
  ]);
}

function registerVersions(program: Command, context: CliContext): void {
  const command = program
    .command('versions')
    .summary("a secret's versions, newest first, with their stages")
    .argument('<id>', 'secret name (bare with -e), or ARN')
    .option('--include-deprecated', 'versions with no staging label too')
    .action(async (id: string, flags: { includeDeprecated?: boolean }) => {
      const versions = await context
        .client()
        .versions(id, flags.includeDeprecated === true ? { includeDeprecated: true } : {});
      context.print(versions, VERSIONS_VIEW);
    });
  withExamples(command, [['keystage versions prod/billing/db --output table', 'ids, stages, dates']]);
}

function registerDiff(program: Command, context: CliContext): void {
  const command = program
    .command('diff')
    .summary('what changed between two versions: keys and sizes, never values')
    .argument('<id>', 'secret name (bare with -e), or ARN')
    .argument('[from]', 'a VersionId or staging label', 'AWSPREVIOUS')
    .argument('[to]', 'a VersionId or staging label', 'AWSCURRENT')
    .action(async (id: string, from: string, to: string) => {
      context.print(await context.client().diff(id, from, to));
    });
  withExamples(command, [
    ['keystage diff prod/billing/db', 'AWSPREVIOUS to AWSCURRENT'],
    ['keystage diff prod/billing/db AWSCURRENT AWSPENDING --query keys', 'what a rotation changes'],
  ]);
}

/** `keystage list`, `describe`, `versions` and `diff`: reading metadata, never a value. */
export function registerInspect(program: Command, context: CliContext): void {
  registerList(program, context);
  registerDescribe(program, context);
  registerVersions(program, context);
  registerDiff(program, context);
}
