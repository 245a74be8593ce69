import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ValidationError, show } from '../../errors';
import {
  FileInjector,
  RotationWatcher,
  SecretTemplate,
  parseSecretReference,
  writeSecretFiles,
  type FileInjectorOptions,
  type SecretFile,
  type WrittenFile,
} from '../../injection';
import type { CliContext } from '../context';
import { withExamples } from '../help';
import type { TableView } from '../output';
import { collect } from '../parse';
import { cliLogger, watchInterval } from './run';
import { registerWorkloads } from './workloads';

interface InjectFlags {
  readonly template: string[];
  readonly out: string[];
  readonly file: string[];
  readonly mode: string;
  readonly watch?: boolean;
  readonly interval: string;
  readonly dryRun?: boolean;
}

/** The files of one directory: the library writes a directory's files together. */
interface DirectoryFiles {
  readonly directory: string;
  readonly files: SecretFile[];
}

const WRITTEN_VIEW: TableView = {
  columns: [
    ['PATH', 'path'],
    ['BYTES', 'bytes'],
    ['SECRETS', 'secrets'],
  ],
};

const PLAN_VIEW: TableView = {
  columns: [
    ['PATH', 'path'],
    ['FROM', 'from'],
    ['SECRETS', 'secrets'],
    ['MODE', 'mode'],
  ],
};

/** `--mode 0640`: permission bits in octal (the library keeps them within 0660). */
function modeFlag(value: string): number {
  if (!/^0?[0-7]{3}$/.test(value)) {
    throw new ValidationError(
      '--mode',
      `--mode takes octal permission bits such as 0600 or 0640; got ${show(value)}.`,
    );
  }
  return Number.parseInt(value, 8);
}

/** `--file PATH=ID[#FIELD]`: a file holding a secret's value, or one field of its JSON. */
function fileMapping(pair: string): {
  readonly path: string;
  readonly secret: string;
  readonly field?: string;
} {
  const at = pair.indexOf('=');
  if (at <= 0 || at === pair.length - 1) {
    throw new ValidationError(
      '--file',
      `--file takes PATH=SECRET-ID or PATH=SECRET-ID#FIELD, e.g. /run/secrets/db-password=prod/billing/db#password; got ${show(pair)}.`,
    );
  }
  const reference = parseSecretReference(pair.slice(at + 1), '--file');
  return {
    path: pair.slice(0, at),
    secret: reference.secretId,
    ...(reference.field === undefined ? {} : { field: reference.field }),
  };
}

/** Every file the flags ask for, grouped by directory; templates read and parsed. */
async function plannedFiles(flags: InjectFlags): Promise<DirectoryFiles[]> {
  if (flags.template.length !== flags.out.length) {
    throw new ValidationError(
      '--out',
      `Each --template needs its --out (in the same order): got ${flags.template.length} --template and ${flags.out.length} --out.`,
    );
  }
  if (flags.template.length === 0 && flags.file.length === 0) {
    throw new ValidationError(
      '--template',
      'keystage inject needs --template IN --out OUT, or --file PATH=SECRET-ID[#FIELD] (either repeatable).',
    );
  }
  const mode = modeFlag(flags.mode);
  const wanted: Array<{ readonly path: string; readonly file: (name: string) => SecretFile }> = [];
  for (const [i, path] of flags.template.entries()) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ValidationError('--template', `--template: cannot read ${show(path)} (${code}).`);
    }
    // Parsed here too, so that a mistake names the template file.
    SecretTemplate.parse(text, `--template ${path}`);
    wanted.push({ path: flags.out[i]!, file: (name) => ({ path: name, template: text, mode }) });
  }
  for (const pair of flags.file) {
    const { path, ...source } = fileMapping(pair);
    wanted.push({ path, file: (name) => ({ path: name, ...source, mode }) });
  }
  const groups = new Map<string, DirectoryFiles>();
  for (const { path, file } of wanted) {
    const directory = resolve(dirname(path));
    const group = groups.get(directory) ?? { directory, files: [] };
    group.files.push(file(basename(path)));
    groups.set(directory, group);
  }
  return [...groups.values()];
}

const secretsOf = (file: SecretFile): string[] =>
  'template' in file
    ? [...new Set(SecretTemplate.parse(file.template).references.map((reference) => reference.secretId))]
    : [file.secret];

function row(written: WrittenFile): Record<string, unknown> {
  return { path: written.path, bytes: written.bytes, secrets: written.secrets };
}

/** Keeps the files current until SIGINT or SIGTERM: one watcher for every directory's injector. */
async function watch(
  context: CliContext,
  groups: readonly DirectoryFiles[],
  intervalMs: number,
): Promise<void> {
  const client = context.client();
  const logger = cliLogger(context, 'inject');
  const watcher = new RotationWatcher(client, { intervalMs, logger });
  const injectors = groups.map(
    ({ directory, files }) =>
      new FileInjector(client, {
        directory,
        files,
        watcher,
        logger,
        onError: (error, file) =>
          context.warn(
            `inject: ${file} not rewritten, the previous file stays: ${(error as { code?: string }).code ?? 'UNKNOWN'}`,
          ),
      } satisfies FileInjectorOptions),
  );
  const stopAll = () => {
    for (const injector of injectors) injector.close();
    watcher.close();
    client.close();
  };
  const written: WrittenFile[] = [];
  try {
    for (const injector of injectors) written.push(...(await injector.start()));
  } catch (error) {
    stopAll();
    throw error;
  }
  await context.printEach(written.map(row), { ...WRITTEN_VIEW, label: 'inject' });
  // The watcher's timers are unref'd (a library must not hold a service open): this one keeps
  // the command running until a signal stops it.
  const alive = setInterval(() => undefined, 1 << 30);
  const stop = (signal: string) => {
    context.info(`${signal}: stopping; the files stay`);
    clearInterval(alive);
    stopAll();
    process.exit(0);
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  context.info(`inject: watching ${written.length} file${written.length === 1 ? '' : 's'} (Ctrl-C stops)`);
  context.setExitCode(-1);
}

function registerFiles(inject: Command, context: CliContext): void {
  inject
    .option(
      '--template <path>',
      'a template with {{ secret "id" "field" }} actions (repeatable, each with --out)',
      collect,
      [],
    )
    .option('--out <path>', "where the --template's rendering goes (in the same order)", collect, [])
    .option(
      '--file <path=id[#field]>',
      "a file holding a secret's value, or one JSON field (repeatable)",
      collect,
      [],
    )
    .option('--mode <octal>', 'permission bits of the files, within 0660', '0600')
    .option('--watch', 'keep running: rewrite the files when a secret rotates, until SIGINT or SIGTERM')
    .option('--interval <seconds>', 'with --watch: how often to look for a rotation', '60')
    .option('--dry-run', 'check the templates and secrets, list the files; read no value, write nothing')
    .action(async (flags: InjectFlags) => {
      const intervalMs = watchInterval(flags.interval);
      const groups = await plannedFiles(flags);
      const client = context.client();
      if (flags.dryRun === true) {
        // The injector checks everything (directories, names, modes, templates) when made.
        for (const { directory, files } of groups) new FileInjector(client, { directory, files }).close();
        const rows = groups.flatMap(({ directory, files }) =>
          files.map((file) => ({
            path: join(directory, file.path),
            from:
              'template' in file ? 'template' : file.field === undefined ? 'value' : `field ${file.field}`,
            secrets: secretsOf(file),
            mode: `0${(file.mode ?? 0o600).toString(8)}`,
          })),
        );
        for (const secret of new Set(rows.flatMap((entry) => entry.secrets))) await client.describe(secret);
        await context.printEach(rows, { ...PLAN_VIEW, label: 'inject' });
        return;
      }
      if (flags.watch === true) {
        await watch(context, groups, intervalMs);
        return;
      }
      const written: WrittenFile[] = [];
      for (const { directory, files } of groups)
        written.push(...(await writeSecretFiles(client, { directory, files })));
      await context.printEach(written.map(row), { ...WRITTEN_VIEW, label: 'inject' });
    });
}

/** `keystage inject`: secrets into files (like `op inject`), and into ECS services and Lambda functions. */
export function registerInject(program: Command, context: CliContext): void {
  const inject = program
    .command('inject')
    .summary('write secrets into files from templates (kept fresh with --watch); ECS and Lambda wiring')
    .description(
      'Renders each --template (text with {{ secret "id" }} and {{ secret "id" "field" | filter }}, ' +
        'filters raw, json, shell, url, base64) to its --out, and writes each --file PATH=ID[#FIELD] ' +
        "with a secret's value or one JSON field. Every value is read before the first write; each " +
        'file is replaced atomically (temporary file, fsync, rename) with mode 0600, so a reader ' +
        'never sees part of one. With --watch it keeps running and rewrites a file when a secret it ' +
        'reads rotates, until SIGINT or SIGTERM. Values are never printed. For workloads: inject ecs, ' +
        'inject lambda, and refresh, revoke, status of the job.',
    );
  registerFiles(inject, context);
  registerWorkloads(inject, context);
  withExamples(inject, [
    ['keystage inject --template app.conf.tpl --out /run/secrets/app.conf', 'render a template once'],
    [
      'keystage inject --file /run/secrets/db-password=prod/billing/db#password --watch',
      'one field, rewritten on rotation',
    ],
    ['keystage inject --template env.tpl --out .env --dry-run --output table', 'the files, nothing written'],
    [
      'keystage inject ecs --cluster prod --service billing-api --secret DB_PASSWORD=prod/billing/db#password',
      'ECS',
    ],
  ]);
}
