/**
 * Secret-name globs: `/`-separated segments, where a segment is `**` (any number of whole
 * segments, none included), or text in which `*` stands for any run of characters other
 * than `/` (so `*` alone is exactly one segment, and `prod/*-db` is one segment ending in
 * `-db`). Nothing else is special: no `?`, no classes, no regular expressions built from
 * policy data, so no pattern can make matching backtrack.
 *
 * Cost: within a segment, `*`-separated literals are found leftmost in order with a KMP
 * search, so one segment test is linear in segment plus pattern length. Across segments,
 * the `**`-separated blocks are placed leftmost in order the same way (leftmost is always
 * safe: a later place leaves less for the blocks that follow, never more), so a name is
 * matched in O(name length × pattern segments) at worst, never exponentially.
 */

/**
 * Characters a pattern may hold: those of a secret name, `:` (an SSM parameter is asked about
 * as its id, `ssm:/prod/billing/db_url`, whose first segment is `ssm:`), and `*`.
 */
const PATTERN_CHARACTERS = /^[A-Za-z0-9/_+=.@:*-]+$/;

/** Secrets Manager's limit on a secret name, which also bounds a useful pattern. */
const MAX_PATTERN_LENGTH = 512;

/** One pattern segment other than `**`: its literals, split at `*`, with KMP tables. */
interface SegmentPattern {
  /** The segment as written. */
  readonly text: string;
  /** The segment has no `*`: compare as a string. */
  readonly literal: boolean;
  /** The pieces between `*`s; the first must start the segment, the last must end it. */
  readonly pieces: readonly string[];
  /** KMP failure tables of the middle pieces (index-aligned with `pieces`). */
  readonly failure: readonly (Int32Array | undefined)[];
}

/** A block: consecutive single-segment patterns between `**`s. */
type Block = readonly SegmentPattern[];

/**
 * A compiled secret-name glob. Build it with {@link compileGlob}, which says what is wrong
 * with a pattern instead of throwing.
 */
export interface SecretGlob {
  /** The pattern as written. */
  readonly pattern: string;
  /** Whether `name` matches the whole pattern. */
  matches(name: string): boolean;
  /** The same, for a name already split at `/` (an evaluation splits it once for all rules). */
  matchesSegments(segments: readonly string[]): boolean;
  /** The pattern's segments, `**` included, as written. */
  readonly segments: readonly string[];
}

/** A compiled glob, or why the pattern is not one. */
export type GlobResult =
  { readonly ok: true; readonly glob: SecretGlob } | { readonly ok: false; readonly problem: string };

/**
 * Compiles a pattern, or says what is wrong with it (empty, too long, a character no
 * secret name has, an empty segment, `**` inside a segment).
 * @example
 * const result = compileGlob('prod/**');
 * if (result.ok) result.glob.matches('prod/billing/db'); // true
 */
export function compileGlob(pattern: string): GlobResult {
  if (pattern.length === 0) return { ok: false, problem: 'is empty: use a name, or * and ** for segments' };
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, problem: `is longer than ${MAX_PATTERN_LENGTH} characters` };
  }
  if (!PATTERN_CHARACTERS.test(pattern)) {
    return {
      ok: false,
      problem: 'holds a character no secret name has: use A-Z a-z 0-9 / _ + = . @ - : and *',
    };
  }
  const segments = pattern.split('/');
  for (const segment of segments) {
    if (segment.length === 0) {
      return { ok: false, problem: 'has an empty segment (a leading, trailing or doubled /)' };
    }
    if (segment !== '**' && segment.includes('**')) {
      return { ok: false, problem: `has ** inside the segment "${segment}": ** must be a whole segment` };
    }
  }
  const blocks: SegmentPattern[][] = [[]];
  for (const segment of segments) {
    if (segment === '**') blocks.push([]);
    else blocks[blocks.length - 1]!.push(segmentPattern(segment));
  }
  const anyDepth = blocks.length > 1;
  return {
    ok: true,
    glob: {
      pattern,
      segments,
      matches: anyDepth
        ? (name) => matchBlocks(blocks, name.split('/'))
        : (name) => matchExact(blocks[0]!, name),
      matchesSegments: anyDepth
        ? (names) => matchBlocks(blocks, names)
        : (names) => names.length === blocks[0]!.length && blockAt(blocks[0]!, names, 0),
    },
  };
}

function segmentPattern(text: string): SegmentPattern {
  const pieces = text.split('*');
  return {
    text,
    literal: pieces.length === 1,
    pieces,
    failure: pieces.map((piece, i) => (i > 0 && i < pieces.length - 1 ? failureTable(piece) : undefined)),
  };
}

/** A pattern without `**`: same number of segments, each matching. No split, no allocation. */
function matchExact(block: Block, name: string): boolean {
  let start = 0;
  for (let i = 0; i < block.length; i++) {
    const slash = name.indexOf('/', start);
    const last = i === block.length - 1;
    // The last pattern segment must take the rest of the name, which may hold no more `/`.
    if (last !== slash < 0) return false;
    const end = last ? name.length : slash;
    if (!matchSegment(block[i]!, name, start, end)) return false;
    start = end + 1;
  }
  return true;
}

/** Blocks separated by `**`: the first starts the name, the last ends it, the others leftmost between. */
function matchBlocks(blocks: readonly Block[], segments: readonly string[]): boolean {
  const first = blocks[0]!;
  const last = blocks[blocks.length - 1]!;
  if (first.length + last.length > segments.length) return false;
  if (!blockAt(first, segments, 0)) return false;
  const end = segments.length - last.length;
  if (!blockAt(last, segments, end)) return false;
  let position = first.length;
  for (let b = 1; b < blocks.length - 1; b++) {
    const block = blocks[b]!;
    if (block.length === 0) continue;
    let found = -1;
    for (let at = position; at + block.length <= end; at++) {
      if (blockAt(block, segments, at)) {
        found = at;
        break;
      }
    }
    if (found < 0) return false;
    position = found + block.length;
  }
  return true;
}

function blockAt(block: Block, segments: readonly string[], at: number): boolean {
  for (let i = 0; i < block.length; i++) {
    const segment = segments[at + i]!;
    if (!matchSegment(block[i]!, segment, 0, segment.length)) return false;
  }
  return true;
}

/** Whether `text[start, end)` (no `/` in it) matches one segment pattern. */
function matchSegment(pattern: SegmentPattern, text: string, start: number, end: number): boolean {
  const { pieces } = pattern;
  if (pattern.literal) return end - start === pattern.text.length && text.startsWith(pattern.text, start);
  const head = pieces[0]!;
  const tail = pieces[pieces.length - 1]!;
  if (head.length + tail.length > end - start) return false;
  if (!text.startsWith(head, start) || !text.startsWith(tail, end - tail.length)) return false;
  let position = start + head.length;
  const stop = end - tail.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    if (piece.length === 0) continue;
    const found = kmpFind(piece, pattern.failure[i]!, text, position, stop);
    if (found < 0) return false;
    position = found + piece.length;
  }
  return true;
}

/** KMP failure function: for each prefix of `piece`, the length of its longest proper border. */
function failureTable(piece: string): Int32Array {
  const table = new Int32Array(piece.length);
  let k = 0;
  for (let i = 1; i < piece.length; i++) {
    while (k > 0 && piece.charCodeAt(i) !== piece.charCodeAt(k)) k = table[k - 1]!;
    if (piece.charCodeAt(i) === piece.charCodeAt(k)) k++;
    table[i] = k;
  }
  return table;
}

/** The leftmost start of `piece` in `text[from, stop)`, or -1; linear in the range. */
function kmpFind(piece: string, table: Int32Array, text: string, from: number, stop: number): number {
  let k = 0;
  for (let i = from; i < stop; i++) {
    const c = text.charCodeAt(i);
    while (k > 0 && c !== piece.charCodeAt(k)) k = table[k - 1]!;
    if (c === piece.charCodeAt(k)) k++;
    if (k === piece.length) return i - piece.length + 1;
  }
  return -1;
}
