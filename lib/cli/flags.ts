import { parseArgs } from 'node:util';
import { ValidationError, show } from '../errors';

/** One command-line option: `--name VALUE` (string) or `--name` (boolean). */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /**
   * A string option that may be given more than once.
   * @default false
   */
  readonly multiple?: boolean;
  /**
   * A one-letter alias, e.g. `h` for `-h`.
   * @default - none
   */
  readonly short?: string;
}

type FlagValue<F extends FlagSpec> = F['type'] extends 'boolean'
  ? boolean
  : F['multiple'] extends true
    ? string[]
    : string | undefined;

/** The parsed options, one field per option: booleans default to false, lists to []. */
export type Flags<S extends Readonly<Record<string, FlagSpec>>> = {
  -readonly [K in keyof S]: FlagValue<S[K]>;
};

const spelled = (spec: Readonly<Record<string, FlagSpec>>): string =>
  Object.keys(spec)
    .map((name) => `--${name}`)
    .join(', ');

/**
 * Parses `args` for `command` against `spec`. Anything `spec` does not name (an unknown
 * option, a value for a boolean, a missing value, a stray argument) is a ValidationError whose
 * `field` is the option as typed, so the CLI exits 2 with a message that says what to do.
 * @example
 * const flags = parseFlags('local', ['--port', '4599'], { port: { type: 'string' } });
 * flags.port; // '4599'
 */
export function parseFlags<S extends Readonly<Record<string, FlagSpec>>>(
  command: string,
  args: readonly string[],
  spec: S,
): Flags<S> {
  // strict: false so that every mistake arrives as a token this function explains itself,
  // instead of as node:util's message, which nothing here should have to parse.
  const { tokens } = parseArgs({
    args: [...args],
    options: spec as Record<string, FlagSpec>,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean | string[] | undefined> = {};
  for (const [name, flag] of Object.entries(spec)) {
    values[name] = flag.type === 'boolean' ? false : flag.multiple === true ? [] : undefined;
  }
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      throw new ValidationError(
        'arguments',
        `keystage ${command} takes options only (${spelled(spec)}); got the argument ${show(token.value)}.`,
      );
    }
    const flag = Object.hasOwn(spec, token.name) ? spec[token.name] : undefined;
    if (flag === undefined) {
      throw new ValidationError(
        token.rawName,
        `keystage ${command} has no option ${token.rawName}; it takes ${spelled(spec)}.`,
      );
    }
    if (flag.type === 'boolean') {
      if (token.value !== undefined) {
        throw new ValidationError(
          token.rawName,
          `${token.rawName} takes no value; got ${show(token.value)}.`,
        );
      }
      values[token.name] = true;
    } else if (token.value === undefined) {
      throw new ValidationError(token.rawName, `${token.rawName} needs a value: ${token.rawName} VALUE.`);
    } else if (token.inlineValue === false && token.value.startsWith('-')) {
      // `--data-dir --in-memory` is a forgotten value far more often than a directory named so.
      throw new ValidationError(
        token.rawName,
        `${token.rawName} needs a value, but the next argument is ${show(token.value)}; for a value that starts with "-", write ${token.rawName}=VALUE.`,
      );
    } else if (flag.multiple === true) {
      (values[token.name] as string[]).push(token.value);
    } else {
      values[token.name] = token.value;
    }
  }
  return values as Flags<S>;
}
