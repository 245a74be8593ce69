import type { IndexKey } from '../storage/ordered-index';
import { badToken } from './faults';

/**
 * Page tokens: a position in an index (the sort key of the last item a page returned), the
 * direction the pages go, and what kind of list it belongs to, as base64url JSON. A position
 * rather than an offset, so that events, groups or streams added between pages neither
 * repeat nor shift the rest: a token stays valid while events keep arriving.
 */
export type TokenKind = 'groups' | 'streams' | 'events' | 'filter';

export interface PageToken {
  readonly kind: TokenKind;
  /** f: ascending (forward, towards newer events), b: descending. */
  readonly direction: 'f' | 'b';
  readonly position: IndexKey;
  /** The position itself is included (a backward page that found nothing turning forward). */
  readonly inclusive: boolean;
}

export function encodeToken(token: PageToken): string {
  const body = Buffer.from(
    JSON.stringify([token.kind, token.direction, token.position, token.inclusive ? 1 : 0]),
    'utf8',
  ).toString('base64url');
  // GetLogEvents tokens start f/ or b/, as the service's do.
  return token.kind === 'events' ? `${token.direction}/${body}` : body;
}

/** The token's position, or an InvalidParameterException for a token this endpoint did not write. */
export function decodeToken(text: string, kind: TokenKind): PageToken {
  const body = kind === 'events' ? text.replace(/^[fb]\//, '') : text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw badToken();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    parsed[0] !== kind ||
    (parsed[1] !== 'f' && parsed[1] !== 'b') ||
    !Array.isArray(parsed[2]) ||
    !(parsed[2] as unknown[]).every(
      (part) => typeof part === 'string' || (typeof part === 'number' && Number.isFinite(part)),
    ) ||
    (parsed[3] !== 0 && parsed[3] !== 1) ||
    encodeToken({
      kind,
      direction: parsed[1],
      position: parsed[2] as IndexKey,
      inclusive: parsed[3] === 1,
    }) !== text
  ) {
    throw badToken();
  }
  return { kind, direction: parsed[1], position: parsed[2] as IndexKey, inclusive: parsed[3] === 1 };
}
