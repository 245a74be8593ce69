import { randomFromAlphabet } from '../../generate/random';
import { invalidParameter } from '../fault';
import { optionalBoolean, optionalNumber, optionalString, type Body } from '../wire';
import type { SmContext } from './context';

const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const NUMBERS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/**
 * GetRandomPassword with the service's defaults: 32 characters from letters, numbers and
 * punctuation, at least one of each type. RequireEachIncludedType covers the four types the
 * API reference names (upper and lower case letters, numbers, punctuation): IncludeSpace lets
 * spaces in but never requires one. Characters are drawn by rejection sampling (uniform).
 */
export function getRandomPassword(_ctx: SmContext, body: Body): object {
  const length = optionalNumber(body, 'PasswordLength') ?? 32;
  const exclude = new Set(optionalString(body, 'ExcludeCharacters') ?? '');
  const keep = (chars: string) => [...chars].filter((ch) => !exclude.has(ch)).join('');
  const types = [
    optionalBoolean(body, 'ExcludeLowercase') ? '' : keep(LOWERCASE),
    optionalBoolean(body, 'ExcludeUppercase') ? '' : keep(UPPERCASE),
    optionalBoolean(body, 'ExcludeNumbers') ? '' : keep(NUMBERS),
    optionalBoolean(body, 'ExcludePunctuation') ? '' : keep(PUNCTUATION),
  ].filter((chars) => chars.length > 0);
  const space = optionalBoolean(body, 'IncludeSpace') && !exclude.has(' ') ? ' ' : '';
  const alphabet = types.join('') + space;
  if (alphabet.length === 0) {
    throw invalidParameter(
      'The password policy leaves no characters to use: include a character type, or exclude fewer characters.',
    );
  }
  const requireEach = optionalBoolean(body, 'RequireEachIncludedType') ?? true;
  if (requireEach && length < types.length) {
    throw invalidParameter(
      `Password length is too short based on the required types: ${types.length} types need at least ${types.length} characters.`,
    );
  }
  for (;;) {
    const password = randomFromAlphabet(alphabet, length);
    if (!requireEach || types.every((chars) => [...password].some((ch) => chars.includes(ch)))) {
      return { RandomPassword: password };
    }
  }
}
