import { invalidParameter } from '../fault';
import type { Body } from '../wire';
import type { SecretRecord } from './records';

/** A ListSecrets / BatchGetSecretValue filter, already checked against the input shape. */
export interface Filter {
  readonly Key: string;
  readonly Values: readonly string[];
}

const LETTER_OR_DIGIT = /\p{L}|\p{N}/u;
const LETTER = /\p{L}/u;

/**
 * The words of a text, lower-cased: runs of letters and digits, with a camelCase boundary
 * (`MyDbPassword` is my, db, password) also splitting a run. One pass that classifies each
 * character on its own (no pattern that could backtrack), so a long text costs its length.
 */
export function wordsOf(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let previous = '';
  for (const ch of text) {
    const letterOrDigit = LETTER_OR_DIGIT.test(ch);
    const upper = ch !== ch.toLowerCase();
    const boundary = upper && previous !== '' && previous === previous.toLowerCase() && LETTER.test(previous);
    if (!letterOrDigit || boundary) {
      if (word !== '') words.push(word.toLowerCase());
      word = '';
    }
    if (letterOrDigit) word += ch;
    previous = letterOrDigit ? ch : '';
  }
  if (word !== '') words.push(word.toLowerCase());
  return words;
}

/** Every word of the value starts some word of one of the texts (not case-sensitive). */
function wordsMatch(value: string, texts: ReadonlyArray<string | undefined>): boolean {
  const wanted = wordsOf(value);
  if (wanted.length === 0) return false;
  const have = texts.flatMap((text) => (text === undefined ? [] : wordsOf(text)));
  return wanted.every((word) => have.some((candidate) => candidate.startsWith(word)));
}

/**
 * Whether one value (without its `!`) matches, as the API reference describes each key:
 * name, tag-key, tag-value, primary-region and owning-service are case-sensitive prefix
 * matches; description and all break the value into words and match them, not
 * case-sensitive, against the words of the description (all: of every attribute).
 */
function valueMatches(record: SecretRecord, key: string, value: string): boolean {
  const tagKeys = Object.keys(record.tags);
  const tagValues = Object.values(record.tags);
  switch (key) {
    case 'name':
      return record.name.startsWith(value);
    case 'description':
      return wordsMatch(value, [record.description]);
    case 'tag-key':
      return tagKeys.some((tag) => tag.startsWith(value));
    case 'tag-value':
      return tagValues.some((tag) => tag.startsWith(value));
    case 'primary-region':
      return record.region.startsWith(value);
    case 'owning-service':
      // No secret here is created by another service.
      return false;
    default:
      return wordsMatch(value, [record.name, record.description, ...tagKeys, ...tagValues]);
  }
}

/** A filter matches when any of its values does; `!value` matches what `value` does not. */
export function filterMatches(record: SecretRecord, filter: Filter): boolean {
  return filter.Values.some((raw) =>
    raw.startsWith('!')
      ? !valueMatches(record, filter.Key, raw.slice(1))
      : valueMatches(record, filter.Key, raw),
  );
}

/** The filters of a request; the shape checked types, keys and value patterns already. */
export function filtersOf(body: Body): Filter[] {
  const filters = (body.Filters ?? []) as Array<{ Key?: string; Values?: string[] }>;
  return filters.map((filter, i) => {
    if (filter.Key === undefined) {
      throw invalidParameter(`Filter ${i + 1} has no Key. Give one of the filter keys with its Values.`);
    }
    if (filter.Values === undefined) {
      throw invalidParameter(
        `Filter ${i + 1} (${filter.Key}) has no Values. Give between 1 and 10 values to match.`,
      );
    }
    return { Key: filter.Key, Values: filter.Values };
  });
}
