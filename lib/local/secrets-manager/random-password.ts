import { randomFromAlphabet } from '../../generate/random';
import { invalidParameter } from '../fault';
import { optionalBoolean, optionalNumber, optionalString, type Body } from '../wire';
import type { SmContext } from './context';

const CLASSES = {
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  numbers: '0123456789',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  space: ' ',
};

/** GetRandomPassword with the service's defaults: 32 characters, every class, each one present. */
export function getRandomPassword(_ctx: SmContext, body: Body): object {
  const length = optionalNumber(body, 'PasswordLength') ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw invalidParameter('PasswordLength must be between 1 and 4096.');
  }
  const exclude = new Set(optionalString(body, 'ExcludeCharacters') ?? '');
  const classes = [
    optionalBoolean(body, 'ExcludeLowercase') ? '' : CLASSES.lowercase,
    optionalBoolean(body, 'ExcludeUppercase') ? '' : CLASSES.uppercase,
    optionalBoolean(body, 'ExcludeNumbers') ? '' : CLASSES.numbers,
    optionalBoolean(body, 'ExcludePunctuation') ? '' : CLASSES.punctuation,
    optionalBoolean(body, 'IncludeSpace') ? CLASSES.space : '',
  ]
    .map((chars) => [...chars].filter((ch) => !exclude.has(ch)).join(''))
    .filter((chars) => chars.length > 0);
  const alphabet = classes.join('');
  if (alphabet.length === 0) throw invalidParameter('The password policy leaves no characters to use.');
  const requireEach = optionalBoolean(body, 'RequireEachIncludedType') ?? true;
  if (requireEach && length < classes.length) {
    throw invalidParameter('PasswordLength is too short to include each type of character.');
  }
  for (;;) {
    const password = randomFromAlphabet(alphabet, length);
    if (!requireEach || classes.every((chars) => [...password].some((ch) => chars.includes(ch)))) {
      return { RandomPassword: password };
    }
  }
}
