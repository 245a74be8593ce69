/**
 * IAM-style wildcard matching: `*` matches any run of characters (none included), `?` any one
 * character, everything else itself. No regular expressions: a pattern with many `*` against
 * a long text must not backtrack exponentially (a RegExp built from `*` did, and one policy
 * could hold the endpoint for seconds).
 *
 * The pattern is split at `*` into segments. The first segment must start the text, the last
 * must end it, and each one between is matched at its leftmost place after the previous one.
 * Leftmost is always safe: a later place leaves less text for the segments that follow, never
 * more. So the text is scanned once per segment, never re-examined across segments: the cost
 * is at most (text length × longest segment), whatever the number of `*`.
 */
export function wildcardMatch(
  pattern: string,
  text: string,
  options: { ignoreCase?: boolean } = {},
): boolean {
  const p = options.ignoreCase === true ? pattern.toLowerCase() : pattern;
  const t = options.ignoreCase === true ? text.toLowerCase() : text;
  const segments = p.split('*');
  if (segments.length === 1) return t.length === p.length && segmentAt(p, t, 0);
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  if (first.length + last.length > t.length) return false;
  if (!segmentAt(first, t, 0) || !segmentAt(last, t, t.length - last.length)) return false;
  let position = first.length;
  const end = t.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    if (segment.length === 0) continue;
    const found = findSegment(segment, t, position, end);
    if (found < 0) return false;
    position = found + segment.length;
  }
  return true;
}

/** Whether `segment` (with `?` for any character) matches `text` at `start`. */
function segmentAt(segment: string, text: string, start: number): boolean {
  if (start < 0 || start + segment.length > text.length) return false;
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c !== 63 /* ? */ && c !== text.charCodeAt(start + i)) return false;
  }
  return true;
}

/** The leftmost place at or after `from` where `segment` fits wholly before `end`, or -1. */
function findSegment(segment: string, text: string, from: number, end: number): number {
  if (!segment.includes('?')) {
    const at = text.indexOf(segment, from);
    return at >= 0 && at + segment.length <= end ? at : -1;
  }
  for (let start = from; start + segment.length <= end; start++) {
    if (segmentAt(segment, text, start)) return start;
  }
  return -1;
}
