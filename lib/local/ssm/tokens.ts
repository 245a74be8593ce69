import type { IndexKey } from '../storage/ordered-index';
import { badToken } from './faults';

/**
 * Page tokens: what the request was (`kind` and `scope`, the path or name it pages over) and
 * a position in the Region's name index (the last name the page examined), as base64url JSON.
 * A position rather than an offset, so that parameters put or deleted between pages neither
 * repeat nor shift the rest.
 */
export interface PageToken {
  readonly kind: 'path' | 'describe' | 'history';
  readonly scope: string;
  readonly position: IndexKey;
}

export function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify([token.kind, token.scope, token.position]), 'utf8').toString('base64url');
}

/** The token's position, or InvalidNextToken for a token this endpoint did not write for this request. */
export function decodeToken(text: string, kind: PageToken['kind'], scope: string): IndexKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw badToken();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    parsed[0] !== kind ||
    parsed[1] !== scope ||
    !Array.isArray(parsed[2]) ||
    !(parsed[2] as unknown[]).every(
      (part) => typeof part === 'string' || (typeof part === 'number' && Number.isFinite(part)),
    ) ||
    encodeToken({ kind, scope, position: parsed[2] as IndexKey }) !== text
  ) {
    throw badToken();
  }
  return parsed[2] as IndexKey;
}
