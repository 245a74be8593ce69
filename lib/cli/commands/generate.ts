import { Argument, type Command } from 'commander';
import {
  SAFE_EXCLUDED_CHARACTERS,
  WEBHOOK_SECRET_BYTES,
  generateApiKey,
  generatePassword,
  generateSymmetricKey,
  generateWebhookSecret,
  resolvePasswordPolicy,
  type PasswordPolicy,
} from '../../generate';
import { ValidationError } from '../../errors';
import type { CliContext } from '../context';
import { withExamples } from '../help';
import { integerFlag } from '../parse';

/** What `generate` makes. */
export const GENERATED_KINDS = ['password', 'api-key', 'symmetric-key', 'webhook-secret'] as const;
export type GeneratedKind = (typeof GENERATED_KINDS)[number];

interface GenerateFlags {
  readonly plain?: boolean;
  readonly put?: string;
  readonly length?: string;
  readonly symbols: boolean;
  readonly exclude?: string;
  readonly prefix?: string;
  readonly binary?: boolean;
  readonly dryRun?: boolean;
}

/** What a generator makes, without making it: sizes and strength, for the plain-less answer. */
interface Generator {
  readonly description: Record<string, string | number>;
  make(): string | Uint8Array;
}

function generatorFor(kind: GeneratedKind, flags: GenerateFlags): Generator {
  if (kind !== 'password' && (flags.length !== undefined || flags.exclude !== undefined || !flags.symbols)) {
    throw new ValidationError('--length', '--length, --exclude and --no-symbols shape a password only.');
  }
  if (kind !== 'api-key' && flags.prefix !== undefined) {
    throw new ValidationError('--prefix', '--prefix names an api-key only.');
  }
  if (kind !== 'symmetric-key' && flags.binary === true) {
    throw new ValidationError('--binary', '--binary writes the bytes of a symmetric-key only.');
  }
  switch (kind) {
    case 'password': {
      const policy: PasswordPolicy = {
        ...(flags.length === undefined ? {} : { length: integerFlag(flags.length, '--length', 8, 4096) }),
        ...(flags.symbols ? {} : { symbols: false }),
        // Added to the default exclusions, which keep URIs, .pgpass, JDBC strings and shells working.
        ...(flags.exclude === undefined
          ? {}
          : { excludeCharacters: SAFE_EXCLUDED_CHARACTERS + flags.exclude }),
      };
      const { length, lowercase, uppercase, digits, symbols, excludeCharacters } =
        resolvePasswordPolicy(policy);
      return {
        description: {
          kind,
          length,
          classes: Object.entries({ lowercase, uppercase, digits, symbols })
            .filter(([, on]) => on)
            .map(([name]) => name)
            .join(','),
          excluded: excludeCharacters.length,
        },
        make: () => generatePassword(policy),
      };
    }
    case 'api-key': {
      const prefix = flags.prefix ?? 'ks';
      // Checked now, so a bad prefix fails before a --put reads anything.
      generateApiKey({ prefix });
      return {
        description: { kind, format: `${prefix}_<32 base62>_<6 base62 checksum>`, entropyBits: 190 },
        make: () => generateApiKey({ prefix }),
      };
    }
    case 'symmetric-key':
      return {
        description: { kind, bytes: 32, entropyBits: 256, plain: flags.binary === true ? 'bytes' : 'base64' },
        make: () => {
          const key = generateSymmetricKey();
          return flags.binary === true || flags.put !== undefined
            ? new Uint8Array(key)
            : key.toString('base64');
        },
      };
    case 'webhook-secret':
      return {
        description: { kind, format: 'whsec_<base64 of 32 bytes>', entropyBits: WEBHOOK_SECRET_BYTES * 8 },
        make: generateWebhookSecret,
      };
  }
}

/**
 * `keystage generate <kind>`: a value from node:crypto. Generating a value is the point, yet
 * it is printed only with --plain (as `get` prints one), so a value reaches the terminal only
 * when asked for by name; --put stores it as a new version instead, and it is never shown.
 * Without either, it says what it would make.
 */
export function registerGenerate(program: Command, context: CliContext): void {
  const command = program
    .command('generate')
    .summary('generate a value: --plain prints it, --put stores it unseen')
    .description(
      'Generates a value with node:crypto. --plain prints it (and nothing else); --put ID stores it ' +
        'as a new version of a secret without showing it. With neither, it describes what it makes.',
    )
    .addArgument(new Argument('<kind>', 'what to make').choices(GENERATED_KINDS))
    .option('--plain', 'print the value only')
    .option('--put <id>', 'store it as the new AWSCURRENT version of this secret, unseen')
    .option('--dry-run', 'with --put: say what would be stored; store nothing')
    .option('--length <n>', 'password length (8 to 4096; default 32)')
    .option('--no-symbols', 'password of letters and digits only')
    .option('--exclude <chars>', 'characters a password must not contain (adds to the default set)')
    .option('--prefix <prefix>', 'api-key prefix, 2 to 16 lowercase letters and digits (default: ks)')
    .option('--binary', 'symmetric-key: --plain writes the 32 bytes, not base64')
    .action(async (kind: GeneratedKind, flags: GenerateFlags) => {
      if (flags.plain === true && flags.put !== undefined) {
        throw new ValidationError(
          '--put',
          'Pass either --plain (print it) or --put (store it unseen), not both.',
        );
      }
      if (flags.dryRun === true && flags.put === undefined) {
        throw new ValidationError(
          '--dry-run',
          '--dry-run goes with --put: generate writes nothing otherwise.',
        );
      }
      const generator = generatorFor(kind, flags);
      if (flags.put !== undefined) {
        const client = context.client();
        if (flags.dryRun === true) {
          const { name, arn } = await client.describe(flags.put);
          context.print({ dryRun: true, action: 'put', name, arn, ...generator.description });
          return;
        }
        const versionId = await client.put(flags.put, generator.make());
        context.print({ id: flags.put, versionId, ...generator.description });
        return;
      }
      if (flags.plain === true) {
        context.printValue(generator.make());
        return;
      }
      context.print(generator.description);
      context.info('Nothing was generated: --plain prints a value, --put ID stores one.');
    });
  withExamples(command, [
    ['keystage generate password --length 40 --plain', 'print a password'],
    ['keystage generate api-key --prefix acme --put prod/billing/partner-key', 'store a new key, unseen'],
    ['keystage generate symmetric-key --binary --plain > key.bin', '32 bytes to a file'],
    ['keystage generate password', 'what it would make, and its strength'],
  ]);
}
