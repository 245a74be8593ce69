import { Option, type Command } from 'commander';
import { ValidationError, show } from '../errors';
import { OUTPUT_FORMATS, checkQuery, type OutputFormat } from './output';

/** The options every command takes, as the AWS CLI has them, plus keystage's own. */
export interface GlobalOptions {
  /** `--region`. @default - the SDK's: AWS_REGION, then the profile's region */
  readonly region: string | undefined;
  /** `--profile`: a profile of the shared AWS config and credentials files. @default - AWS_PROFILE, else default */
  readonly profile: string | undefined;
  /** `--endpoint-url`: an http(s) URL, e.g. the local endpoint's. @default - the SDK's (AWS_ENDPOINT_URL...) */
  readonly endpointUrl: string | undefined;
  /** `--output`. @default - KEYSTAGE_OUTPUT, else json */
  readonly output: OutputFormat;
  /** `--query`: a JMESPath expression applied to the result before it is printed. @default - none */
  readonly query: string | undefined;
  /** `--environment` / `-e`: the environment bare names belong to. @default - KEYSTAGE_ENVIRONMENT */
  readonly environment: string | undefined;
  /** `--yes` / `-y`: confirms a destructive change without asking. @default false */
  readonly yes: boolean;
  /** False with `--no-color`. Colour also needs a terminal and no NO_COLOR. @default true */
  readonly color: boolean;
  /** `--quiet` / `-q`: no notes or progress on stderr, only results and errors. @default false */
  readonly quiet: boolean;
  /** `--audit-file`: a JSON-lines audit trail every call is recorded in. @default - KEYSTAGE_AUDIT_FILE */
  readonly auditFile: string | undefined;
  /** `--audit-log-group`: a CloudWatch Logs group every call is recorded in. @default - KEYSTAGE_AUDIT_LOG_GROUP */
  readonly auditLogGroup: string | undefined;
}

/** The global options' long names, so that no command defines one of its own by the same name. */
export const GLOBAL_OPTION_NAMES: readonly string[] = Object.freeze([
  '--region',
  '--profile',
  '--endpoint-url',
  '--output',
  '--query',
  '--environment',
  '--yes',
  '--no-color',
  '--quiet',
  '--audit-file',
  '--audit-log-group',
]);

/**
 * Adds the global options to the program. Commander recognises them before and after the
 * command name, as the AWS CLI does (`keystage get prod/x --region eu-west-1`).
 * @example
 * addGlobalOptions(new Command('keystage'));
 */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--region <region>', 'AWS region (default: AWS_REGION, or the profile)')
    .option('--profile <name>', 'profile from the shared AWS config files (default: AWS_PROFILE)')
    .option('--endpoint-url <url>', 'send requests to this URL, e.g. the local endpoint')
    .addOption(
      new Option('--output <format>', 'result format (default: KEYSTAGE_OUTPUT, else json)').choices(
        OUTPUT_FORMATS,
      ),
    )
    .option('--query <jmespath>', 'JMESPath expression applied to the result')
    .option('-e, --environment <name>', 'environment bare names belong to (default: KEYSTAGE_ENVIRONMENT)')
    .option('-y, --yes', 'confirm destructive changes without asking')
    .option('--no-color', 'no colours (also NO_COLOR)')
    .option('-q, --quiet', 'print results and errors only')
    .option(
      '--audit-file <path>',
      'record every call in this JSON-lines audit trail (default: KEYSTAGE_AUDIT_FILE)',
    )
    .option(
      '--audit-log-group <name>',
      'record every call in this CloudWatch Logs group (default: KEYSTAGE_AUDIT_LOG_GROUP)',
    );
}

interface RawGlobals {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  output?: OutputFormat;
  query?: string;
  environment?: string;
  yes?: boolean;
  color?: boolean;
  quiet?: boolean;
  auditFile?: string;
  auditLogGroup?: string;
}

function nonEmpty(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && value.trim() === '') {
    throw new ValidationError(flag, `${flag} needs a value; got ${show(value)}.`);
  }
  return value;
}

function endpointUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ValidationError(
      '--endpoint-url',
      `--endpoint-url takes an http or https URL, e.g. http://127.0.0.1:4599; got ${show(value)}.`,
    );
  }
  return value;
}

function outputFormat(given: OutputFormat | undefined, env: NodeJS.ProcessEnv): OutputFormat {
  if (given !== undefined) return given;
  const fromEnv = env.KEYSTAGE_OUTPUT;
  if (fromEnv === undefined || fromEnv === '') return 'json';
  if (!OUTPUT_FORMATS.includes(fromEnv as OutputFormat)) {
    throw new ValidationError(
      'KEYSTAGE_OUTPUT',
      `KEYSTAGE_OUTPUT must be one of ${OUTPUT_FORMATS.join(', ')}; got ${show(fromEnv)}.`,
    );
  }
  return fromEnv as OutputFormat;
}

/**
 * The global options of a parsed program, checked: an endpoint that is not an http(s) URL,
 * a `--query` that does not parse, an empty value are ValidationErrors before any call.
 * @example
 * const globals = globalOptions(program.opts(), process.env);
 */
export function globalOptions(raw: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): GlobalOptions {
  const given = raw as RawGlobals;
  const queryText = nonEmpty(given.query, '--query');
  if (queryText !== undefined) checkQuery(queryText);
  return {
    region: nonEmpty(given.region, '--region'),
    profile: nonEmpty(given.profile, '--profile'),
    endpointUrl: endpointUrl(given.endpointUrl),
    output: outputFormat(given.output, env),
    query: queryText,
    environment: nonEmpty(given.environment, '--environment'),
    yes: given.yes === true,
    color: given.color !== false,
    quiet: given.quiet === true,
    ...auditTargets(given, env),
  };
}

/** Where the audit trail goes: a flag, else its variable; one of the two kinds at most. */
function auditTargets(
  given: RawGlobals,
  env: NodeJS.ProcessEnv,
): { auditFile: string | undefined; auditLogGroup: string | undefined } {
  const fromEnv = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const auditFile = nonEmpty(given.auditFile, '--audit-file') ?? fromEnv('KEYSTAGE_AUDIT_FILE');
  const auditLogGroup =
    nonEmpty(given.auditLogGroup, '--audit-log-group') ?? fromEnv('KEYSTAGE_AUDIT_LOG_GROUP');
  if (auditFile !== undefined && auditLogGroup !== undefined) {
    throw new ValidationError(
      '--audit-file',
      'Give one audit trail: --audit-file (KEYSTAGE_AUDIT_FILE) or --audit-log-group (KEYSTAGE_AUDIT_LOG_GROUP), not both.',
    );
  }
  return { auditFile, auditLogGroup };
}
