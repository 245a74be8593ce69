import { open } from 'node:fs/promises';
import { MAX_SECRET_VALUE_BYTES } from '../core';
import { ValidationError, show } from '../errors';
import type { CliContext } from './context';
import type { CliInput } from './io';
import { askHidden } from './prompt';

/** Where a command takes a secret value from: at most one of these; stdin when none. */
export interface ValueSource {
  /** `--value`: on the command line, so in shell history and `ps`; warned about. */
  readonly value?: string;
  /** `--value-file`: a file, stored byte for byte; `-` for stdin. */
  readonly valueFile?: string;
  /** `--binary`: the value is bytes (SecretBinary), not text. */
  readonly binary?: boolean;
  /** `--keep-newline`: keep the one trailing newline that text on stdin usually ends with. */
  readonly keepNewline?: boolean;
}

/** Reads at most one byte more than Secrets Manager stores, so an oversized value is refused, not buffered. */
const READ_LIMIT = MAX_SECRET_VALUE_BYTES + 1;

function tooLarge(where: string): ValidationError {
  return new ValidationError(
    'value',
    `The value from ${where} is over ${MAX_SECRET_VALUE_BYTES} bytes, the most Secrets Manager stores; nothing was written.`,
  );
}

async function readStream(input: CliInput): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    if (size > READ_LIMIT) throw tooLarge('stdin');
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

async function readValueFile(path: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ValidationError('--value-file', `--value-file: cannot read ${show(path)} (${code}).`);
  }
  try {
    const buffer = Buffer.alloc(READ_LIMIT);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, size, READ_LIMIT - size, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size >= READ_LIMIT) throw tooLarge(show(path));
    }
    return buffer.subarray(0, size);
  } finally {
    await handle.close();
  }
}

/** Drops the one newline `echo` and heredocs end stdin with. */
function withoutFinalNewline(bytes: Buffer): Buffer {
  if (bytes.at(-1) !== 0x0a) return bytes;
  return bytes.subarray(0, bytes.at(-2) === 0x0d ? -2 : -1);
}

/**
 * The value a writing command stores, read before any call: from `--value-file` (exactly), from
 * stdin (`--value-file -`, or piped; one trailing newline dropped unless `keepNewline`), typed
 * at a hidden prompt when stdin is a terminal, or from `--value` with a warning. Empty and
 * oversized values are ValidationErrors; the value is never echoed or printed.
 * @example
 * const value = await readSecretValue(context, 'prod/billing/stripe', { valueFile: '-' });
 */
export async function readSecretValue(
  context: CliContext,
  id: string,
  source: ValueSource,
): Promise<string | Uint8Array> {
  const { value, valueFile, binary = false, keepNewline = false } = source;
  if (value !== undefined && valueFile !== undefined) {
    throw new ValidationError('--value', 'Pass either --value or --value-file, not both.');
  }
  let bytes: Buffer;
  if (value !== undefined) {
    context.warn(
      '--value puts the value in your shell history and in the process list; prefer --value-file FILE or stdin.',
    );
    bytes = Buffer.from(value);
  } else if (valueFile !== undefined && valueFile !== '-') {
    bytes = await readValueFile(valueFile);
  } else if (valueFile === undefined && context.io.stdin.isTTY === true) {
    const answer = await askHidden(context.io, `Value for ${id} (not shown): `);
    if (!('line' in answer)) {
      throw new ValidationError('value', 'No value was entered; nothing was written.');
    }
    bytes = Buffer.from(answer.line);
  } else {
    const read = await readStream(context.io.stdin);
    // Bytes are taken as they are: a newline may be part of them.
    bytes = keepNewline || binary ? read : withoutFinalNewline(read);
  }
  if (bytes.length === 0) {
    throw new ValidationError(
      'value',
      'The value is empty; nothing was written. Give it with --value-file FILE or on stdin.',
    );
  }
  if (bytes.length > MAX_SECRET_VALUE_BYTES) throw tooLarge('--value');
  return binary ? new Uint8Array(bytes) : bytes.toString('utf8');
}
