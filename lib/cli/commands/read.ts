import type { Command } from 'commander';
import { SecretDecodeError, ValidationError, isKeystageError, show } from '../../errors';
import type { GetOptions } from '../../client';
import type { CliContext } from '../context';
import { withExamples } from '../help';

interface GetFlags {
  readonly plain?: boolean;
  readonly field?: string;
  readonly versionStage?: string;
  readonly versionId?: string;
  readonly binary?: boolean;
}

/** What `get` prints without `--plain`: the shape of what it read, never the value. */
export interface ReadSummary {
  readonly id: string;
  readonly versionStage?: string;
  readonly versionId?: string;
  readonly format: 'json' | 'string' | 'binary';
  /** The value's size in bytes (UTF-8 for text). */
  readonly bytes: number;
  /** A JSON object's top-level keys (names, not values). */
  readonly keys?: readonly string[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A decode failure with the CLI's way out added: the other of text and `--binary`. */
function withHint(error: unknown, binary: boolean): unknown {
  if (!isKeystageError(error, 'DECODE_ERROR')) return error;
  const hint = binary
    ? 'Without --binary, keystage get reads text.'
    : 'keystage get --binary reads bytes; --field needs a JSON object.';
  return new SecretDecodeError(`${error.message} ${hint}`, {
    cause: error,
    ...(error.secretId === undefined ? {} : { secretId: error.secretId }),
  });
}

/** One field of a JSON secret, as text: a string as it is, anything else as JSON. */
function fieldOf(text: string, field: string, id: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SecretDecodeError(`Secret ${show(id)} is not JSON, so it has no field ${show(field)}.`, {
      secretId: id,
    });
  }
  if (!isObject(parsed)) {
    throw new SecretDecodeError(
      `Secret ${show(id)} is not a JSON object, so it has no field ${show(field)}.`,
      {
        secretId: id,
      },
    );
  }
  if (!Object.hasOwn(parsed, field)) {
    throw new ValidationError(
      '--field',
      `Secret ${show(id)} has no field ${show(field)}; its fields are ${Object.keys(parsed).join(', ') || 'none'}.`,
    );
  }
  const value = parsed[field];
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The shape of a text value: JSON object keys, or plain text; its size. */
function summarise(id: string, text: string, selector: GetOptions, field: string | undefined): ReadSummary {
  let keys: string[] | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed)) keys = Object.keys(parsed);
  } catch {
    keys = undefined;
  }
  return {
    id,
    ...selector,
    format: keys === undefined ? 'string' : 'json',
    bytes: Buffer.byteLength(field === undefined ? text : fieldOf(text, field, id)),
    ...(keys === undefined ? {} : { keys }),
  };
}

/** `keystage get`: the one command that prints a value, and only with `--plain`. */
export function registerRead(program: Command, context: CliContext): void {
  const command = program
    .command('get')
    .summary('read a secret: its shape, or with --plain its value')
    .description(
      'Reads a secret (AWSCURRENT unless a stage or version is given). Without --plain it prints what ' +
        "it read: format, size and a JSON object's keys. With --plain it prints the value and nothing " +
        'else; no other keystage command ever prints a value.',
    )
    .argument('<id>', 'secret name (bare with -e), or ARN')
    .option('--plain', 'print the value only (exactly; a newline is added on a terminal)')
    .option('--field <key>', 'one top-level field of a JSON secret (a string as it is, others as JSON)')
    .option('--version-stage <label>', 'the version with this staging label, e.g. AWSPREVIOUS')
    .option('--version-id <id>', 'this version')
    .option('--binary', 'read a binary secret (SecretBinary); --plain writes its bytes')
    .action(async (id: string, flags: GetFlags) => {
      if (flags.binary === true && flags.field !== undefined) {
        throw new ValidationError('--field', '--field reads a JSON secret; a --binary secret has no fields.');
      }
      const selector: GetOptions = {
        ...(flags.versionStage === undefined ? {} : { versionStage: flags.versionStage }),
        ...(flags.versionId === undefined ? {} : { versionId: flags.versionId }),
      };
      const client = context.client();
      if (flags.binary === true) {
        const bytes = await client.getBinary(id, selector).catch((error: unknown) => {
          throw withHint(error, true);
        });
        if (flags.plain === true) context.printValue(bytes);
        else context.print({ id, ...selector, format: 'binary', bytes: bytes.length } satisfies ReadSummary);
        return;
      }
      const text = await client.get(id, selector).catch((error: unknown) => {
        throw withHint(error, false);
      });
      if (flags.plain === true) {
        context.printValue(flags.field === undefined ? text : fieldOf(text, flags.field, id));
        return;
      }
      context.print(summarise(id, text, selector, flags.field));
      context.info('The value is not shown; keystage get --plain prints it.');
    });
  withExamples(command, [
    ['keystage get prod/billing/db', 'what it holds: format, size, keys'],
    ['keystage get prod/billing/db --plain --field password', 'one field, for a pipe'],
    ['PGPASSWORD="$(keystage get prod/billing/db --plain --field password)" psql', 'into a variable'],
    ['keystage get prod/billing/stripe --plain --version-stage AWSPREVIOUS', 'the previous value'],
    ['keystage get prod/billing/signing-key --binary --plain > key.bin', 'bytes to a file'],
  ]);
}
