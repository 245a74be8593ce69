import type { Body } from '../wire';
import { integer, text } from './context';
import { invalidMarker } from './faults';

/** One page of a list, and what tells the caller whether to ask for the next. */
export interface Page<T> {
  readonly items: T[];
  readonly more: { Truncated: boolean; NextMarker?: string };
}

/**
 * Pages a list by Limit and Marker. The marker is the position after the last item returned
 * (its sort key, base64url), so items added or removed between calls neither repeat nor
 * shift the rest. A marker this endpoint did not write is an InvalidMarkerException.
 */
export function paginate<T>(
  items: readonly T[],
  sortKey: (item: T) => string,
  body: Body,
  defaultLimit: number,
): Page<T> {
  const limit = integer(body, 'Limit') ?? defaultLimit;
  const marker = text(body, 'Marker');
  let after: string | undefined;
  if (marker !== undefined) {
    after = Buffer.from(marker, 'base64url').toString('utf8');
    if (after === '' || Buffer.from(after, 'utf8').toString('base64url') !== marker) {
      throw invalidMarker(
        'The Marker is not one this endpoint returned: pass NextMarker from the previous page.',
      );
    }
  }
  const sorted = items
    .map((item) => ({ item, key: sortKey(item) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .filter(({ key }) => after === undefined || key > after);
  const page = sorted.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(({ item }) => item),
    more:
      sorted.length > limit && last !== undefined
        ? { Truncated: true, NextMarker: Buffer.from(last.key, 'utf8').toString('base64url') }
        : { Truncated: false },
  };
}
