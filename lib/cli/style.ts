/** ANSI styles for a terminal that wants them; identity functions for one that does not. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

const wrap =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

const COLOURED: Style = Object.freeze({
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
});

const same = (text: string): string => text;
const PLAIN: Style = Object.freeze({ bold: same, dim: same, red: same, green: same, yellow: same });

/**
 * The styles for a stream: colours only on a terminal, and never with `--no-color` or the
 * NO_COLOR variable (https://no-color.org: any non-empty value).
 * @example
 * const style = styleFor(process.stderr.isTTY === true, process.env, true);
 */
export function styleFor(terminal: boolean, env: NodeJS.ProcessEnv, wanted: boolean): Style {
  const disabled = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return terminal && wanted && !disabled ? COLOURED : PLAIN;
}
