import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ValidationError, show } from '../../errors';
import { MIN_PASSPHRASE_LENGTH, type BundleProtection } from '../../transfer';
import type { CliContext } from '../context';
import { askHidden } from '../prompt';

// What export, import and backup share: how a bundle's key is given, and library callbacks as
// streams for printEach.

/** How a bundle is protected, as the command line gives it: a KMS key, or where the passphrase is. */
export interface ProtectionFlags {
  readonly bundleKey?: string;
  readonly passphraseFile?: string;
}

/** The variable a passphrase may come from, so that it is never on the command line. */
export const PASSPHRASE_VARIABLE = 'KEYSTAGE_PASSPHRASE';

/** Adds `--bundle-key` and `--passphrase-file` to a command that writes or reads a bundle. */
export function protectionOptions(command: Command): Command {
  return command
    .option('--bundle-key <kms-key-arn>', 'encrypt the bundle under this KMS key (its ARN)')
    .option(
      '--passphrase-file <path>',
      `the passphrase, from a file (else ${PASSPHRASE_VARIABLE}, else a prompt on a terminal)`,
    );
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

function checkedPassphrase(passphrase: string, where: string): string {
  if (passphrase.normalize('NFC').length < MIN_PASSPHRASE_LENGTH) {
    throw new ValidationError(
      '--passphrase-file',
      `The passphrase from ${where} has ${passphrase.length} characters; a bundle needs at least ${MIN_PASSPHRASE_LENGTH} (a generated one: keystage generate password --plain).`,
    );
  }
  return passphrase;
}

/** Fails early when both kinds of protection are given (before any prompt or call). */
export function checkProtectionFlags(flags: ProtectionFlags): void {
  if (flags.bundleKey !== undefined && flags.passphraseFile !== undefined) {
    throw new ValidationError('--bundle-key', 'Pass either --bundle-key or --passphrase-file, not both.');
  }
}

/**
 * The bundle's protection: `--bundle-key`, else a passphrase from `--passphrase-file` (one
 * trailing newline dropped), KEYSTAGE_PASSPHRASE, or a hidden prompt on a terminal (asked twice
 * when `writing`, compared in constant time). Never from the command line itself.
 */
export async function bundleProtection(
  context: CliContext,
  flags: ProtectionFlags,
  writing: boolean,
): Promise<BundleProtection> {
  checkProtectionFlags(flags);
  if (flags.bundleKey !== undefined) return { kms: { keyId: flags.bundleKey } };
  if (flags.passphraseFile !== undefined) {
    let text: string;
    try {
      text = await readFile(flags.passphraseFile, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ValidationError(
        '--passphrase-file',
        `--passphrase-file: cannot read ${show(flags.passphraseFile)} (${code}).`,
      );
    }
    const passphrase = text.endsWith('\r\n')
      ? text.slice(0, -2)
      : text.endsWith('\n')
        ? text.slice(0, -1)
        : text;
    return { passphrase: checkedPassphrase(passphrase, show(flags.passphraseFile)) };
  }
  const fromEnv = context.io.env[PASSPHRASE_VARIABLE];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { passphrase: checkedPassphrase(fromEnv, PASSPHRASE_VARIABLE) };
  }
  if (!context.interactive) {
    throw new ValidationError(
      '--passphrase-file',
      `The bundle needs a key: --bundle-key KMS-KEY-ARN, or a passphrase in --passphrase-file FILE or ${PASSPHRASE_VARIABLE} (or typed at a prompt on a terminal).`,
    );
  }
  const first = await askHidden(context.io, 'Bundle passphrase (not shown): ');
  if (!('line' in first)) throw new ValidationError('--passphrase-file', 'No passphrase was entered.');
  const passphrase = checkedPassphrase(first.line, 'the prompt');
  if (writing) {
    const again = await askHidden(context.io, 'The passphrase again: ');
    if (!('line' in again) || !timingSafeEqual(sha256(again.line), sha256(passphrase))) {
      throw new ValidationError('--passphrase-file', 'The two passphrases differ; nothing was written.');
    }
  }
  return { passphrase };
}

/**
 * What a library's per-item callback hears, as an async iterable for `printEach`: `work` gets
 * the callback; the iterable ends when `work` settles, and throws its error after the items
 * before it. `result` is `work`'s own promise.
 */
export function streamed<T, R>(
  work: (push: (item: T) => void) => Promise<R>,
): { readonly items: AsyncIterable<T>; readonly result: Promise<R> } {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let settled: { readonly error: unknown } | true | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const result = work((item) => {
    queue.push(item);
    notify();
  });
  result.then(
    () => {
      settled = true;
      notify();
    },
    (error: unknown) => {
      settled = { error };
      notify();
    },
  );
  const items = (async function* () {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (settled === true) return;
      if (settled !== undefined) throw settled.error;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  })();
  return { items, result };
}
