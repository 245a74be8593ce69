import fc from 'fast-check';
import {
  PASSWORD_SYMBOLS,
  SAFE_EXCLUDED_CHARACTERS,
  generatePassword,
  resolvePasswordPolicy,
  type PasswordPolicy,
} from '../../../lib/generate';

const CLASSES = {
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  symbols: PASSWORD_SYMBOLS,
} as const;

const CLASS_NAMES = Object.keys(CLASSES) as Array<keyof typeof CLASSES>;
/** Every printable ASCII character, space included. */
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i));

/** Any policy with every field given; exclusions are any subset of printable ASCII. */
const anyPolicy = fc.record({
  length: fc.integer({ min: 8, max: 256 }),
  lowercase: fc.boolean(),
  uppercase: fc.boolean(),
  digits: fc.boolean(),
  symbols: fc.boolean(),
  requireEachClass: fc.boolean(),
  excludeCharacters: fc.subarray(PRINTABLE).map((chars) => chars.join('')),
});

/** Policies that leave a character to draw, and one of each required class. */
const validPolicy = anyPolicy.filter((p) => {
  const left = CLASS_NAMES.filter((name) => p[name]).map((name) =>
    [...CLASSES[name]].filter((ch) => !p.excludeCharacters.includes(ch)),
  );
  return left.some((chars) => chars.length > 0) && (!p.requireEachClass || left.every((c) => c.length > 0));
});

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR' });
    return (error as { field: string }).field;
  }
  return undefined;
}

describe('generatePassword', () => {
  describe('default policy over 10^5 samples', () => {
    const samples = Array.from({ length: 100_000 }, () => generatePassword());
    const excluded = new Set(SAFE_EXCLUDED_CHARACTERS);

    // Checked in plain code and asserted once: an expect() per sample would dominate the run time.
    it('is 32 characters with every class and no excluded character', () => {
      const bad = samples.filter(
        (password) =>
          password.length !== 32 ||
          [...password].some((ch) => excluded.has(ch)) ||
          !/[a-z]/.test(password) ||
          !/[A-Z]/.test(password) ||
          !/[0-9]/.test(password) ||
          !/[-_.]/.test(password),
      );
      expect(bad).toEqual([]);
    });

    it('round-trips through a URI, a .pgpass line, a JDBC URL and an unquoted shell word', () => {
      const bad = samples.filter((password) => {
        const url = new URL(`postgres://app:${password}@db.internal:5432/app`);
        const uri = url.password === password && decodeURIComponent(url.password) === password;

        const fields = `db.internal:5432:app:app:${password}`.split(':');
        const pgpass = fields.length === 5 && fields[4] === password;

        const jdbc = `jdbc:postgresql://db.internal:5432/app?user=app&password=${password}&ssl=true`;
        const query = new URLSearchParams(jdbc.slice(jdbc.indexOf('?') + 1));
        const jdbcOk = query.get('password') === password && query.get('ssl') === 'true';

        const shell = /^[A-Za-z0-9._-]+$/.test(password);
        return !(uri && pgpass && jdbcOk && shell);
      });
      expect(bad).toEqual([]);
    });

    it('draws distinct passwords', () => {
      expect(new Set(samples).size).toBe(samples.length);
    });
  });

  it('meets any valid policy: exact length, each class present, nothing excluded', () => {
    fc.assert(
      fc.property(validPolicy, (p) => {
        const password = generatePassword(p);
        expect(password).toHaveLength(p.length);
        for (const ch of p.excludeCharacters) expect(password).not.toContain(ch);
        for (const name of CLASS_NAMES) {
          const inClass = [...password].some((ch) => CLASSES[name].includes(ch));
          if (!p[name]) expect(inClass).toBe(false);
          else if (p.requireEachClass) expect(inClass).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('rejects, naming excludeCharacters, any policy whose exclusions empty a required class', () => {
    const emptiedClass = fc.tuple(anyPolicy, fc.constantFrom(...CLASS_NAMES)).map(([p, name]) => ({
      ...p,
      [name]: true,
      requireEachClass: true,
      excludeCharacters: p.excludeCharacters + CLASSES[name],
    }));
    fc.assert(
      fc.property(emptiedClass, (p) => {
        expect(fieldOf(() => generatePassword(p))).toBe('excludeCharacters');
        expect(fieldOf(() => resolvePasswordPolicy(p))).toBe('excludeCharacters');
      }),
      { numRuns: 200 },
    );
  });

  it('uses every allowed symbol when the exclusions are lifted', () => {
    const password = generatePassword({ length: 4096, excludeCharacters: '' });
    for (const ch of PASSWORD_SYMBOLS) expect(password).toContain(ch);
  });

  it.each([[7], [4097], [8.5], [NaN], [Infinity], ['32']])('rejects length %p', (length) => {
    expect(fieldOf(() => generatePassword({ length: length as number }))).toBe('length');
  });

  it('accepts the extreme lengths 8 and 4096', () => {
    expect(generatePassword({ length: 8 })).toHaveLength(8);
    expect(generatePassword({ length: 4096 })).toHaveLength(4096);
  });

  it('rejects excluding a whole required class', () => {
    expect(fieldOf(() => generatePassword({ excludeCharacters: CLASSES.digits }))).toBe('excludeCharacters');
  });

  it('allows excluding a whole class when it is not required', () => {
    expect(generatePassword({ excludeCharacters: CLASSES.digits, requireEachClass: false })).toMatch(
      /^[^0-9]{32}$/,
    );
  });

  it('rejects a policy that leaves no character', () => {
    const none = { lowercase: false, uppercase: false, digits: false, symbols: false };
    expect(fieldOf(() => generatePassword(none))).toBe('excludeCharacters');
  });

  it.each([[5], [['a']], [{}]])('rejects excludeCharacters %p, which is not a string', (exclude) => {
    expect(fieldOf(() => generatePassword({ excludeCharacters: exclude as unknown as string }))).toBe(
      'excludeCharacters',
    );
  });

  it('rejects a non-boolean flag, naming it', () => {
    expect(fieldOf(() => generatePassword({ digits: 'yes' as unknown as boolean }))).toBe('digits');
  });

  it('rejects a policy that is not an object', () => {
    expect(fieldOf(() => generatePassword('long' as unknown as PasswordPolicy))).toBe('policy');
  });
});

describe('resolvePasswordPolicy', () => {
  it.each([[7], [4097], [8.5], [NaN]])('rejects length %p before anything is generated', (length) => {
    expect(fieldOf(() => resolvePasswordPolicy({ length }))).toBe('length');
  });

  it('rejects excluding a whole required class', () => {
    expect(fieldOf(() => resolvePasswordPolicy({ excludeCharacters: CLASSES.lowercase }))).toBe(
      'excludeCharacters',
    );
  });

  it('keeps the values it was given', () => {
    const policy = {
      length: 12,
      lowercase: false,
      uppercase: true,
      digits: true,
      symbols: false,
      requireEachClass: false,
      excludeCharacters: 'O0',
    };
    expect(resolvePasswordPolicy(policy)).toEqual(policy);
  });

  it('fills in the defaults', () => {
    expect(resolvePasswordPolicy()).toEqual({
      length: 32,
      lowercase: true,
      uppercase: true,
      digits: true,
      symbols: true,
      requireEachClass: true,
      excludeCharacters: SAFE_EXCLUDED_CHARACTERS,
    });
  });

  it('keeps only - _ . of the symbols by default', () => {
    const kept = [...PASSWORD_SYMBOLS].filter((ch) => !SAFE_EXCLUDED_CHARACTERS.includes(ch));
    expect(kept.sort()).toEqual(['-', '.', '_']);
    for (const ch of ': / @ " \' \\ ; `'.split(' ')) expect(SAFE_EXCLUDED_CHARACTERS).toContain(ch);
    expect(SAFE_EXCLUDED_CHARACTERS).toContain(' ');
  });
});
