import { generatePassword } from '../../lib/generate';
import { passwordPolicyFromEnv } from '../../rotation-lambdas/config';
import { SAFE_EXCLUDED_CHARACTERS } from '../../lib/generate/password';

// RELIABILITY 11: generated database passwords, 10^5 per policy, never hold an excluded
// character and survive every form a connection setting takes.

const SAMPLES = 100_000;

/** libpq's .pgpass escaping: backslash and colon are escaped with a backslash. */
const pgpassEscape = (value: string) => value.replace(/[\\:]/g, (ch) => `\\${ch}`);

/** Splits a .pgpass line the way libpq reads it. */
function pgpassFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length) field += line[++i];
    else if (ch === ':') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

describe.each([
  ['the default policy', {}, SAFE_EXCLUDED_CHARACTERS],
  ["AWS's default exclusions", { EXCLUDE_CHARACTERS: '/@"\'\\' }, '/@"\'\\'],
  ['a long policy with a custom set', { PASSWORD_LENGTH: '64', EXCLUDE_CHARACTERS: ':;#%&' }, ':;#%&'],
])('%s', (_name, env, excluded) => {
  const policy = passwordPolicyFromEnv(env);
  const passwords = Array.from({ length: SAMPLES }, () => generatePassword(policy));

  it('never uses an excluded character', () => {
    const bad = passwords.filter((p) => [...p].some((ch) => excluded.includes(ch)));
    expect(bad).toEqual([]);
    expect(new Set(passwords).size).toBe(SAMPLES);
  });

  it('round-trips through a connection URI, a JDBC string and .pgpass', () => {
    for (const password of passwords) {
      const uri = new URL(`postgres://app:${encodeURIComponent(password)}@db.internal:5432/app`);
      const jdbc = new URL(
        `jdbc:postgresql://db.internal:5432/app?user=app&password=${encodeURIComponent(password)}`.slice(5),
      );
      const pgpass = pgpassFields(`db.internal:5432:app:app:${pgpassEscape(password)}`);
      if (
        decodeURIComponent(uri.password) !== password ||
        jdbc.searchParams.get('password') !== password ||
        pgpass[4] !== password ||
        pgpass.length !== 5
      ) {
        throw new Error(`a generated password did not round-trip (length ${password.length})`);
      }
    }
  });
});

it('needs no escaping at all with the default policy', () => {
  for (let i = 0; i < SAMPLES; i++) {
    const password = generatePassword(passwordPolicyFromEnv({}));
    if (
      encodeURIComponent(password) !== password ||
      pgpassEscape(password) !== password ||
      /[\s'"`$]/.test(password)
    ) {
      throw new Error('a default password needs escaping');
    }
  }
});
