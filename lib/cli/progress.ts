import type { CliOutput } from './io';
import type { Style } from './style';

/** Progress of bulk work, on stderr. */
export interface Progress {
  /** One more item done; `item` (a name, never a value) is shown on a terminal. */
  tick(item?: string): void;
  /** The work is over: clears the progress line and prints `summary` unless quiet. */
  done(summary?: string): void;
}

export interface ProgressOptions {
  readonly label: string;
  /** How many items there will be, for a bar. @default - unknown: a count */
  readonly total?: number;
  /** Whether stderr is a terminal: a redrawn line there, nothing per item elsewhere. */
  readonly terminal: boolean;
  /** `--quiet`: nothing at all. */
  readonly quiet: boolean;
  readonly style: Style;
  /** Time source for the redraw limit. @default Date.now */
  readonly now?: () => number;
}

/** Redraws at most this often: a fast listing must not spend its time drawing. */
const REDRAW_MS = 100;
const BAR_WIDTH = 24;

/**
 * A progress display: on a terminal one line, redrawn in place (`\r`, clear line) with a bar
 * when the total is known and a count otherwise; off a terminal nothing per item, since the
 * results themselves are the plain lines; the summary either way, unless quiet.
 * @example
 * const progress = progressFor(process.stderr, { label: 'list', terminal: true, quiet: false, style });
 * progress.tick('prod/billing/db');
 * progress.done('3 secrets');
 */
export function progressFor(stream: CliOutput, options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const draws = options.terminal && !options.quiet;
  let count = 0;
  let drawnAt = -Infinity;
  let drawn = false;
  const line = (item: string | undefined): string => {
    const { label, total, style } = options;
    const counted =
      total === undefined
        ? `${count}`
        : `[${'#'.repeat(Math.round((Math.min(count, total) / Math.max(total, 1)) * BAR_WIDTH)).padEnd(BAR_WIDTH, '-')}] ${count}/${total}`;
    const text = `${label} ${counted}${item === undefined ? '' : ` ${item}`}`;
    // A pseudo-terminal may report no size (0 columns): assume 80 then.
    const width = (stream.columns !== undefined && stream.columns >= 20 ? stream.columns : 80) - 1;
    return style.dim(text.length > width ? `${text.slice(0, Math.max(width - 1, 0))}…` : text);
  };
  return {
    tick(item) {
      count += 1;
      if (!draws || now() - drawnAt < REDRAW_MS) return;
      drawnAt = now();
      drawn = true;
      stream.write(`\r\u001b[2K${line(item)}`);
    },
    done(summary) {
      if (drawn) stream.write('\r\u001b[2K');
      drawn = false;
      if (!options.quiet && summary !== undefined) stream.write(`${summary}\n`);
    },
  };
}
