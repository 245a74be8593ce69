import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { CreateSecretOptions, PutOptions, VersionStage } from '../../client';
import { SECRET_KINDS, secretName, type SecretKind } from '../../core';
import { ValidationError, show } from '../../errors';
import type { CliContext } from '../context';
import { withExamples } from '../help';
import { collect, keyValues } from '../parse';
import { readSecretValue, type ValueSource } from '../secret-input';

interface ValueFlags {
  readonly value?: string;
  readonly valueFile?: string;
  readonly binary?: boolean;
  readonly keepNewline?: boolean;
  readonly dryRun?: boolean;
}

interface PutFlags extends ValueFlags {
  readonly versionStage: string[];
  readonly clientRequestToken?: string;
}

interface CreateFlags extends ValueFlags {
  readonly kind: SecretKind;
  readonly service?: string;
  readonly description?: string;
  readonly kmsKeyId?: string;
  readonly tag: string[];
  readonly replicaRegion: string[];
  readonly inputFile?: string;
  readonly apiKeyPrefix?: string;
}

/** The value options `put` and `create` share. */
function valueOptions(command: Command, stdin: string): Command {
  return command
    .option('--value-file <path>', `the value from a file, byte for byte ("-": stdin)${stdin}`)
    .option('--value <text>', 'the value on the command line (warned: shell history and ps show it)')
    .option('--binary', 'store bytes (SecretBinary) instead of text')
    .option('--keep-newline', 'keep the trailing newline of text read from stdin')
    .option('--dry-run', 'check and show what would be written; write nothing');
}

const source = (flags: ValueFlags): ValueSource => ({
  ...(flags.value === undefined ? {} : { value: flags.value }),
  ...(flags.valueFile === undefined ? {} : { valueFile: flags.valueFile }),
  binary: flags.binary === true,
  keepNewline: flags.keepNewline === true,
});

/** Keys an `--input-file` may set: the kind-specific inputs of a generated value. */
const INPUT_KEYS = ['database', 'certificate', 'oauth'] as const;

/** `--input-file`: `{ database | certificate | oauth }` for a value `create` generates. */
function readInputFile(path: string): Pick<CreateSecretOptions, (typeof INPUT_KEYS)[number]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ValidationError(
      '--input-file',
      code === undefined
        ? `--input-file: ${show(path)} is not valid JSON.`
        : `--input-file: cannot read ${show(path)} (${code}).`,
    );
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    Object.keys(parsed).some((key) => !(INPUT_KEYS as readonly string[]).includes(key))
  ) {
    throw new ValidationError(
      '--input-file',
      `--input-file: ${show(path)} must be a JSON object with ${INPUT_KEYS.join(', ')} (what the kind generates from), e.g. {"database": {"engine": "postgres", "host": "db.internal", "username": "app"}}.`,
    );
  }
  return parsed as Pick<CreateSecretOptions, (typeof INPUT_KEYS)[number]>;
}

const bytesOf = (value: string | Uint8Array): number =>
  typeof value === 'string' ? Buffer.byteLength(value) : value.length;

function registerPut(program: Command, context: CliContext): void {
  const command = valueOptions(
    program
      .command('put')
      .summary('store a new version of a secret (value from stdin or a file)')
      .description(
        'Stores a new version, AWSCURRENT unless --version-stage says otherwise. The value comes from ' +
          '--value-file, or stdin (piped, or typed at a hidden prompt on a terminal); never echoed.',
      )
      .argument('<id>', 'secret name (bare with -e), or ARN'),
    '; default: stdin, or a hidden prompt',
  )
    .option('--version-stage <label>', 'a staging label for the new version (repeatable)', collect, [])
    .option(
      '--client-request-token <token>',
      'idempotency token, 32 to 64 characters: a rerun writes nothing new',
    );
  command.action(async (id: string, flags: PutFlags) => {
    const value = await readSecretValue(context, id, source(flags));
    const client = context.client();
    const stages = flags.versionStage.length === 0 ? ['AWSCURRENT'] : flags.versionStage;
    if (flags.dryRun === true) {
      const summary = await client.describe(id);
      const current = summary.versions.find((version) => version.stages.includes('AWSCURRENT'));
      context.print({
        dryRun: true,
        action: 'put',
        name: summary.name,
        arn: summary.arn,
        bytes: bytesOf(value),
        stages,
        currentVersionId: current?.versionId,
      });
      return;
    }
    const options: PutOptions = {
      ...(flags.versionStage.length === 0 ? {} : { versionStages: flags.versionStage as VersionStage[] }),
      ...(flags.clientRequestToken === undefined ? {} : { clientRequestToken: flags.clientRequestToken }),
    };
    const versionId = await client.put(id, value, options);
    context.print({ id, versionId, stages });
  });
  withExamples(command, [
    ['keystage put prod/billing/stripe --value-file key.txt', 'from a file, exactly'],
    ['printf %s "$KEY" | keystage put prod/billing/stripe', 'from stdin'],
    ['keystage put prod/billing/stripe', 'typed at a hidden prompt'],
    ['keystage put prod/billing/db --value-file db.json --dry-run', 'check it first'],
  ]);
}

/** The full name `create` gives: the scope's environment and the service for a bare name. */
function plannedName(context: CliContext, name: string, service: string | undefined): string {
  if (name.includes('/')) return secretName({ name });
  const environment = context.globals().environment ?? context.io.env.KEYSTAGE_ENVIRONMENT;
  const scopeService = service ?? context.io.env.KEYSTAGE_SERVICE;
  return secretName({
    name,
    ...(environment === undefined || environment === '' ? {} : { environment }),
    ...(scopeService === undefined || scopeService === '' ? {} : { service: scopeService }),
  });
}

function registerCreate(program: Command, context: CliContext): void {
  const command = valueOptions(
    program
      .command('create')
      .summary('create a secret of a kind, its value generated unless given')
      .description(
        "Creates {environment}/{service}/{name} with keystage's tags. The value is generated by kind " +
          '(a password, an API key, 32 random bytes, ...) unless --value-file gives it; it is never ' +
          'printed: keystage get --plain reads it.',
      )
      .argument('<name>', "the secret's own name; -e and --service prefix it")
      .addOption(new Option('--kind <kind>', 'what it holds').choices(SECRET_KINDS).makeOptionMandatory())
      .option('--service <service>', 'owning service: a name segment and a tag (default: KEYSTAGE_SERVICE)')
      .option('--description <text>', 'a description')
      .option('--kms-key-id <key>', 'the KMS key that encrypts it (default: aws/secretsmanager)')
      .option('--tag <key=value>', 'an extra tag (repeatable)', collect, [])
      .option('--replica-region <region>', 'replicate to this region (repeatable)', collect, [])
      .option('--input-file <path>', 'JSON {database|certificate|oauth} the generated value is made from')
      .option('--api-key-prefix <prefix>', "a generated API key's prefix (default: ks)"),
    '; default: generated by kind',
  );
  command.action(async (name: string, flags: CreateFlags) => {
    const tags = keyValues(flags.tag, '--tag');
    const inputs = flags.inputFile === undefined ? {} : readInputFile(flags.inputFile);
    const value =
      flags.value === undefined && flags.valueFile === undefined
        ? undefined
        : await readSecretValue(context, name, source(flags));
    const options: CreateSecretOptions = {
      name,
      kind: flags.kind,
      ...(value === undefined ? {} : { value }),
      ...(flags.service === undefined ? {} : { service: flags.service }),
      ...(flags.description === undefined ? {} : { description: flags.description }),
      ...(flags.kmsKeyId === undefined ? {} : { kmsKeyId: flags.kmsKeyId }),
      ...(Object.keys(tags).length === 0 ? {} : { tags }),
      ...(flags.replicaRegion.length === 0 ? {} : { replicaRegions: flags.replicaRegion }),
      ...(flags.apiKeyPrefix === undefined ? {} : { apiKeyPrefix: flags.apiKeyPrefix }),
      ...inputs,
    };
    if (flags.dryRun === true) {
      context.print({
        dryRun: true,
        action: 'create',
        name: plannedName(context, name, flags.service),
        kind: flags.kind,
        value: value === undefined ? 'generated' : `given, ${bytesOf(value)} bytes`,
        tags,
        replicaRegions: flags.replicaRegion,
      });
      return;
    }
    context.print(await context.client().create(options));
  });
  withExamples(command, [
    ['keystage create stripe -e prod --service billing --kind api-key', 'prod/billing/stripe, generated'],
    [
      'keystage create db -e prod --service billing --kind database --input-file db.json',
      'credentials for {"database": {"engine", "host", "username"}}',
    ],
    ['keystage create cert --kind certificate --value-file cert.json', 'a value you have'],
  ]);
}

/** `keystage put` and `keystage create`: the commands that write a value. */
export function registerWrite(program: Command, context: CliContext): void {
  registerPut(program, context);
  registerCreate(program, context);
}
