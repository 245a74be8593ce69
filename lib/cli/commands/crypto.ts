import type { Command } from 'commander';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { GetOptions } from '../../client';
import { combineShares, splitSecret } from '../../crypto';
import { ValidationError, show } from '../../errors';
import type { CliContext } from '../context';
import { withExamples } from '../help';
import { integerFlag } from '../parse';
import { assertNewFile, readJsonFile, writeNewFile } from './command-files';

/**
 * What a share file holds: one share of a split and the sealed secret (useless without
 * `threshold` shares), so that any `threshold` of the files recover it. Everything but
 * `share` and `sealed` is a label for the holder; the split's own integrity tag is what
 * combine trusts.
 */
interface ShareFile {
  readonly format: 'keystage/share';
  readonly version: 1;
  readonly secret: string;
  readonly splitId: string;
  readonly index: number;
  readonly threshold: number;
  readonly count: number;
  /** The secret was bytes (SecretBinary), not text: combine --into stores bytes again (--out writes bytes either way). */
  readonly binary: boolean;
  readonly share: string;
  readonly sealed: string;
}

/** `prod/billing/db` as a file name stem: `prod.billing.db`. */
const stem = (name: string): string => name.replace(/\//g, '.');

const shareFileName = (name: string, index: number, count: number): string =>
  `${stem(name)}.share-${index}-of-${count}.json`;

interface SplitFlags {
  readonly threshold: string;
  readonly shares: string;
  readonly outDir?: string;
  readonly printShares?: boolean;
  readonly versionStage?: string;
  readonly versionId?: string;
  readonly binary?: boolean;
  readonly dryRun?: boolean;
}

/** Removes the share files already written when a later one fails: a split is all its files or none. */
async function removeAll(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((path) => unlink(path).catch(() => undefined)));
}

function registerSplit(program: Command, context: CliContext): void {
  const command = program
    .command('split')
    .summary("split a secret's value into N share files, any K of which recover it (Shamir)")
    .description(
      "Splits a secret's value so that any --threshold of --shares holders recover it with keystage " +
        'combine, and fewer learn nothing: a random data key is split (Shamir, shamir-secret-sharing) and ' +
        'the value is encrypted under it; each share file holds one share and the sealed value. The ' +
        'files are written to --out-dir, mode 0600, each whole or not at all, never over an existing ' +
        'file; if one cannot be written, none is left. Each file is secret material: hand one to each ' +
        'holder. --print-shares prints them on stdout instead (for a pipe to an encrypting tool). The ' +
        'value itself is never printed.',
    )
    .argument('<id>', 'secret name (bare with -e), or ARN')
    .requiredOption('--threshold <k>', 'how many shares recover the value (2 to --shares)')
    .requiredOption('--shares <n>', 'how many shares to make (2 to 255)')
    .option('--out-dir <dir>', 'where the share files go (an existing directory)')
    .option(
      '--print-shares',
      'print the share files as JSON on stdout instead of writing them (secret material)',
    )
    .option('--version-stage <label>', 'split the version with this label (default AWSCURRENT)')
    .option('--version-id <id>', 'split this version')
    .option('--binary', 'the secret is binary (SecretBinary)')
    .option('--dry-run', 'show the files it would write; read no value, write nothing')
    .action(async (id: string, flags: SplitFlags) => {
      const count = integerFlag(flags.shares, '--shares', 2, 255);
      const threshold = integerFlag(flags.threshold, '--threshold', 2, count);
      if ((flags.outDir === undefined) === (flags.printShares !== true)) {
        throw new ValidationError(
          '--out-dir',
          'Write the shares with --out-dir DIR, or print them with --print-shares, one of the two.',
        );
      }
      const client = context.client();
      const { name } = await client.describe(id);
      const paths =
        flags.outDir === undefined
          ? []
          : Array.from({ length: count }, (_, i) => join(flags.outDir!, shareFileName(name, i + 1, count)));
      for (const path of paths) await assertNewFile(path, '--out-dir');
      if (flags.dryRun === true) {
        context.print({ dryRun: true, action: 'split', secret: name, threshold, count, files: paths });
        return;
      }
      const selector: GetOptions = {
        ...(flags.versionStage === undefined ? {} : { versionStage: flags.versionStage }),
        ...(flags.versionId === undefined ? {} : { versionId: flags.versionId }),
      };
      const binary = flags.binary === true;
      const value = binary ? await client.getBinary(id, selector) : await client.get(id, selector);
      const split = await splitSecret(value, { threshold, shares: count });
      const files: ShareFile[] = split.shares.map((share, i) => ({
        format: 'keystage/share',
        version: 1,
        secret: name,
        splitId: split.splitId,
        index: i + 1,
        threshold,
        count,
        binary,
        share,
        sealed: split.sealed,
      }));
      const result = { secret: name, splitId: split.splitId, threshold, count };
      if (flags.printShares === true) {
        context.print({ ...result, shares: files });
        return;
      }
      const written: string[] = [];
      try {
        for (const [i, file] of files.entries()) {
          await writeNewFile(paths[i]!, Buffer.from(`${JSON.stringify(file, null, 2)}\n`), '--out-dir');
          written.push(paths[i]!);
        }
      } catch (error) {
        await removeAll(written);
        throw error;
      }
      context.print({ ...result, files: written });
      context.info(
        `${count} share files written (mode 0600); any ${threshold} recover ${name}. Each is secret: one per holder.`,
      );
    });
  withExamples(command, [
    [
      'keystage split prod/ops/root-token --threshold 3 --shares 5 --out-dir ./shares',
      'five files, any three recover it',
    ],
    [
      'keystage split prod/ops/root-token --threshold 2 --shares 3 --out-dir ./shares --dry-run',
      'the files it would write',
    ],
  ]);
}

/** One share file, checked for its shape; the share itself is checked by combineShares. */
function shareFile(parsed: unknown, path: string): ShareFile {
  const file = parsed as Partial<ShareFile> | null;
  if (
    typeof file !== 'object' ||
    file === null ||
    file.format !== 'keystage/share' ||
    file.version !== 1 ||
    typeof file.share !== 'string' ||
    typeof file.sealed !== 'string'
  ) {
    throw new ValidationError(
      'file',
      `${show(path)} is not a keystage share file (keystage split writes them).`,
    );
  }
  return file as ShareFile;
}

interface CombineFlags {
  readonly out?: string;
  readonly into?: string;
  readonly dryRun?: boolean;
}

function registerCombine(program: Command, context: CliContext): void {
  const command = program
    .command('combine')
    .summary('recover a split secret from K share files: --out writes it to a file, --into stores it')
    .description(
      'Recovers a value from share files written by keystage split (at least the threshold of them, in ' +
        'any order). A damaged, foreign or mixed-in share is named by its position among the files given ' +
        '(shares[0] is the first) and never shown. --out FILE writes the value, as its bytes, to a new ' +
        'file (mode 0600, whole or not at all, never over an existing file); --into ID stores it as a new ' +
        'version of a secret. Either way only facts are printed (where, how many bytes), never the value: ' +
        "keystage get --plain is the one command that prints a secret's value. --dry-run recovers and " +
        'checks, and writes and stores nothing.',
    )
    .argument('<file...>', 'share files')
    .option('--out <file>', 'write the recovered value to this new file (mode 0600)')
    .option('--into <id>', 'store the value as a new version of this secret (it must exist)')
    .option('--dry-run', 'recover and check; write and store nothing')
    .action(async (paths: string[], flags: CombineFlags) => {
      if ((flags.out === undefined) === (flags.into === undefined)) {
        throw new ValidationError(
          '--out',
          'Write the value to a new file with --out FILE, or store it with --into ID, one of the two.',
        );
      }
      if (flags.out !== undefined) await assertNewFile(flags.out, '--out');
      const files: ShareFile[] = [];
      for (const path of paths) files.push(shareFile(await readJsonFile(path, 'file'), path));
      const sealed = files[0]!.sealed;
      const other = files.findIndex((file) => file.sealed !== sealed);
      if (other !== -1) {
        throw new ValidationError(
          'file',
          `${show(paths[other])} (shares[${other}]) carries another sealed value than ${show(paths[0])}: the files are from different splits.`,
        );
      }
      const value = await combineShares(
        files.map((file) => file.share),
        sealed,
      );
      const binary = files[0]!.binary === true;
      const facts = { bytes: value.length, binary, shares: files.length, splitId: files[0]!.splitId };
      if (flags.out !== undefined) {
        const written = { out: flags.out, ...facts };
        if (flags.dryRun === true) {
          context.print({ dryRun: true, action: 'combine', ...written });
          return;
        }
        // The bytes as recovered: a binary secret's bytes, or a text secret's UTF-8.
        await writeNewFile(flags.out, value, '--out');
        context.print(written);
        return;
      }
      const into = flags.into!;
      const client = context.client();
      const { name } = await client.describe(into);
      const stored = { into: name, ...facts };
      if (flags.dryRun === true) {
        context.print({ dryRun: true, action: 'combine', ...stored });
        return;
      }
      const versionId = await client.put(into, binary ? new Uint8Array(value) : value.toString('utf8'));
      context.print({ ...stored, versionId });
    });
  withExamples(command, [
    ['keystage combine a.json b.json c.json --out root-token', 'the value in a new 0600 file, unprinted'],
    ['keystage combine a.json b.json c.json --into prod/ops/root-token', 'store it again, unseen'],
  ]);
}

/** `keystage split` and `keystage combine`: split knowledge of a secret's value. */
export function registerCrypto(program: Command, context: CliContext): void {
  registerSplit(program, context);
  registerCombine(program, context);
}
