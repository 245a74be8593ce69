import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ValidationError, show } from '../../errors';
import {
  TemplateCatalog,
  applyTemplate,
  describeTemplate,
  listTemplates,
  loadTemplateFile,
  validateService,
  type AppliedSecret,
  type AppliedStatus,
} from '../../organise';
import type { CliContext } from '../context';
import { EXIT_FAILURE } from '../exit-codes';
import { withExamples } from '../help';
import type { TableView } from '../output';
import { collect } from '../parse';

interface CatalogFlags {
  readonly templateFile: string[];
}

interface ApplyFlags extends CatalogFlags {
  readonly template?: string;
  readonly service?: string;
  readonly valuesFile?: string;
  readonly valueEnv: string[];
  readonly dryRun?: boolean;
}

interface ValidateFlags extends CatalogFlags {
  readonly template: string[];
  readonly service?: string;
}

const APPLY_VIEW: TableView = {
  columns: [
    ['SECRET', 'secret'],
    ['NAME', 'name'],
    ['STATUS', 'status'],
    ['EXPOSURE', 'exposure'],
    ['GENERATED', 'generated'],
    ['REASONS', 'reasons'],
  ],
};

const ISSUE_VIEW: TableView = {
  columns: [
    ['NAME', 'name'],
    ['TEMPLATE', 'template'],
    ['REASON', 'reason'],
  ],
};

const LIST_VIEW: TableView = {
  columns: [
    ['NAME', 'name'],
    ['SOURCE', 'source'],
    ['ROTATION DAYS', 'rotationDays'],
    ['SECRETS', 'secrets'],
    ['DESCRIPTION', 'description'],
  ],
};

/** The outcomes that leave a service without what it needs: apply exits 1 on any of them. */
const UNMET: readonly AppliedStatus[] = ['invalid', 'missing-value', 'denied', 'failed'];

const templateFileOption = (command: Command): Command =>
  command.option(
    '--template-file <path>',
    'templates of your own, from a JSON file (one template or an array; repeatable)',
    collect,
    [],
  );

/** The built-in templates plus those of the files. */
async function catalogOf(flags: CatalogFlags): Promise<TemplateCatalog> {
  return TemplateCatalog.builtIn().withFiles(flags.templateFile);
}

/** --service, else KEYSTAGE_SERVICE. */
function serviceOf(context: CliContext, given: string | undefined): string | undefined {
  return given ?? context.io.env.KEYSTAGE_SERVICE;
}

/** --template, else the one template of the only --template-file. */
async function templateName(flags: ApplyFlags): Promise<string> {
  if (flags.template !== undefined) return flags.template;
  if (flags.templateFile.length === 1) {
    const loaded = await loadTemplateFile(flags.templateFile[0]!);
    if (loaded.length === 1) return loaded[0]!.name;
  }
  throw new ValidationError(
    '--template',
    'keystage template apply needs --template NAME (keystage template list shows them), or a --template-file holding one template.',
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The values to create secrets with, keyed by the template's secret names: from a JSON file
 * and from variables (`--value-env secret=VARIABLE`), never from the command line. Messages
 * name files, keys and variables, never what they hold.
 */
async function valuesOf(context: CliContext, flags: ApplyFlags): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  if (flags.valuesFile !== undefined) {
    let text: string;
    try {
      text = await readFile(flags.valuesFile, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ValidationError(
        '--values-file',
        `--values-file: cannot read ${show(flags.valuesFile)} (${code}).`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // JSON.parse's message quotes the text near the mistake: a value, here.
      throw new ValidationError(
        '--values-file',
        `--values-file: ${show(flags.valuesFile)} is not valid JSON.`,
      );
    }
    if (!isObject(parsed)) {
      throw new ValidationError(
        '--values-file',
        `--values-file: ${show(flags.valuesFile)} must hold a JSON object of values keyed by secret name, e.g. {"stripe_secret_key": "..."}.`,
      );
    }
    Object.assign(values, parsed);
  }
  for (const pair of flags.valueEnv) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) {
      throw new ValidationError(
        '--value-env',
        `--value-env takes SECRET=VARIABLE, e.g. stripe_secret_key=STRIPE_SECRET_KEY; got ${show(pair)}.`,
      );
    }
    const secret = pair.slice(0, at);
    const variable = pair.slice(at + 1);
    const value = context.io.env[variable];
    if (value === undefined || value === '') {
      throw new ValidationError('--value-env', `--value-env ${secret}=${variable}: ${variable} is not set.`);
    }
    if (Object.hasOwn(values, secret)) {
      throw new ValidationError(
        '--value-env',
        `${secret} is given twice (--values-file and --value-env): give it once.`,
      );
    }
    values[secret] = value;
  }
  return values;
}

function registerApply(template: Command, context: CliContext): void {
  const command = template
    .command('apply')
    .summary('create the secrets a service needs from a template, checked against its rules')
    .description(
      'Creates {environment}/{service}/{secret} for every secret of the template that is missing, ' +
        'with the value given or, where keystage can, a generated one; an existing secret is never ' +
        'overwritten. Values come from --values-file (a JSON object keyed by secret name) and ' +
        '--value-env SECRET=VARIABLE, never the command line. Everything is checked first: if any ' +
        'value breaks the rules (prefixes by environment, lengths, formats) or any create would be ' +
        'denied, nothing is written. Each secret is reported: created, exists, invalid, ' +
        'missing-value, denied, skipped, would-create, failed; exits 1 when any is invalid, ' +
        'missing-value, denied or failed. Run again, it finishes without a second version.',
    )
    .option('--template <name>', 'the template, e.g. stripe (keystage template list)')
    .option('--service <service>', 'the service (default: KEYSTAGE_SERVICE)')
    .option('--values-file <path>', 'the values, a JSON object keyed by secret name')
    .option(
      '--value-env <secret=VARIABLE>',
      "a secret's value from an environment variable (repeatable)",
      collect,
      [],
    )
    .option('--dry-run', 'check everything and show the plan; write nothing');
  templateFileOption(command);
  command.action(async (flags: ApplyFlags) => {
    const service = serviceOf(context, flags.service);
    const catalog = await catalogOf(flags);
    const name = await templateName(flags);
    const overrides = await valuesOf(context, flags);
    const result = await applyTemplate(context.client(), name, {
      catalog,
      ...(service === undefined ? {} : { service }),
      overrides,
      dryRun: flags.dryRun === true,
    });
    const unmet = result.secrets.filter((secret: AppliedSecret) => UNMET.includes(secret.status));
    await context.printEach(result.secrets, {
      ...APPLY_VIEW,
      label: 'template',
      name: (secret) => secret.name,
    });
    const counts = new Map<string, number>();
    for (const secret of result.secrets) counts.set(secret.status, (counts.get(secret.status) ?? 0) + 1);
    context.info(
      `template apply ${result.template} to ${result.environment}/${result.service}${result.dryRun ? ' --dry-run' : ''}: ` +
        [...counts].map(([status, count]) => `${count} ${status}`).join(', '),
    );
    if (unmet.length > 0) context.setExitCode(EXIT_FAILURE);
  });
  withExamples(command, [
    [
      'keystage template apply --template stripe -e staging --service billing --values-file stripe.json',
      'values from a file',
    ],
    [
      'keystage template apply --template stripe -e prod --service billing --value-env stripe_secret_key=STRIPE_KEY --dry-run',
      'one value from a variable; the plan only',
    ],
    [
      'keystage template apply --template-file acme.json -e dev --service api --output table',
      'a template of your own',
    ],
  ]);
}

function registerValidate(template: Command, context: CliContext): void {
  const command = template
    .command('validate')
    .summary("check a service's secrets against their templates")
    .description(
      'Checks every secret of the templates applied to a service (their keystage:template tags, ' +
        'plus --template): each required one exists, is not revoked or scheduled for deletion, has ' +
        "the template's kind and exposure, and its value keeps the rules (a live key in staging is " +
        'flagged, and a test key in production). Prints each finding, never a value; exits 1 when ' +
        'there is any.',
    )
    .option('--service <service>', 'the service (default: KEYSTAGE_SERVICE)')
    .option('--template <name>', 'a template to check besides those found (repeatable)', collect, []);
  templateFileOption(command);
  command.action(async (flags: ValidateFlags) => {
    const service = serviceOf(context, flags.service);
    if (service === undefined) {
      throw new ValidationError(
        '--service',
        'keystage template validate needs --service SERVICE (or KEYSTAGE_SERVICE).',
      );
    }
    const result = await validateService(context.client(), service, {
      catalog: await catalogOf(flags),
      ...(flags.template.length === 0 ? {} : { templates: flags.template }),
    });
    await context.printEach(result.invalid, {
      ...ISSUE_VIEW,
      label: 'validate',
      name: (issue) => issue.name,
    });
    context.info(
      `template validate ${result.environment}/${result.service}: ${result.templates.join(', ') || 'no template'}; ` +
        `${result.checked} checked, ${result.invalid.length} finding${result.invalid.length === 1 ? '' : 's'}`,
    );
    if (!result.allValid) context.setExitCode(EXIT_FAILURE);
  });
  withExamples(command, [
    ['keystage template validate -e prod --service billing', 'the templates its secrets name'],
    [
      'keystage template validate -e staging --service billing --template stripe --output table',
      'before apply',
    ],
  ]);
}

function registerList(template: Command, context: CliContext): void {
  const command = template
    .command('list')
    .summary('the templates: built-in and from --template-file')
    .action(async (flags: CatalogFlags) => {
      await context.printEach(listTemplates({ catalog: await catalogOf(flags) }), {
        ...LIST_VIEW,
        label: 'templates',
      });
    });
  templateFileOption(command);
  withExamples(command, [
    ['keystage template list --output table', 'the built-in templates'],
    ['keystage template list --template-file acme.json --query "[].name"', 'with your own'],
  ]);
}

function registerDescribe(template: Command, context: CliContext): void {
  const command = template
    .command('describe')
    .summary("a template's secrets, kinds, exposure and rules in words")
    .argument('<name>', 'the template')
    .action(async (name: string, flags: CatalogFlags) => {
      context.print(describeTemplate(name, { catalog: await catalogOf(flags) }));
    });
  templateFileOption(command);
  withExamples(command, [['keystage template describe stripe --output yaml', "stripe's rules"]]);
}

/** `keystage template list|describe|apply|validate`: the secrets a service needs, by template. */
export function registerTemplates(program: Command, context: CliContext): void {
  const template = program
    .command('template')
    .summary('service templates: list, describe, apply (create what is missing), validate');
  registerList(template, context);
  registerDescribe(template, context);
  registerApply(template, context);
  registerValidate(template, context);
}
