import { parseDatabaseSecret as parseByTheRule } from '../../lib/core';
import { generateDatabaseCredentials } from '../../lib/generate';
import {
  connectionSettingsFromEnv,
  alternation,
  cloneName,
  parseDatabaseSecret,
} from '../../rotation-lambdas/db/secret';

const parse = (value: unknown) =>
  parseDatabaseSecret(JSON.stringify(value), 'AWSCURRENT', ['postgres'], 5432);
const base = { engine: 'postgres', host: 'db.internal', username: 'app', password: 'pw-secret-1' };

describe('database secrets', () => {
  it('reads the AWS shape with defaults: port, TLS on, no master', () => {
    expect(parse(base)).toMatchObject({ port: 5432, ssl: true, dbname: undefined, masterarn: undefined });
    expect(parse({ ...base, port: '6432', ssl: false, dbname: 'orders' })).toMatchObject({
      port: 6432,
      ssl: false,
      dbname: 'orders',
    });
  });

  it.each([
    ['not JSON', 'nope', 'is not JSON'],
    ['an array', [1], 'not a JSON object'],
    ['another engine', { ...base, engine: 'mysql' }, 'expected postgres'],
    ['no host', { ...base, host: '' }, '"host"'],
    ['no password', { ...base, password: undefined }, '"password"'],
    ['a bad port', { ...base, port: 70_000 }, '"port"'],
    ['ssl as a string', { ...base, ssl: 'false' }, '"ssl"'],
  ])('refuses %s with a message that names the field and no value', (_what, value, fragment) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    let message = '';
    try {
      parseDatabaseSecret(text, 'AWSPENDING', ['postgres'], 5432);
    } catch (error) {
      expect(error).toMatchObject({ reason: 'INVALID_SECRET' });
      message = (error as Error).message;
    }
    expect(message).toContain(fragment);
    expect(message).toContain('AWSPENDING');
    expect(message).not.toContain('pw-secret-1');
  });

  it('names the clone within the engine limit', () => {
    expect(cloneName('app', 63)).toBe('app_clone');
    const long = 'a'.repeat(60);
    expect(Buffer.byteLength(cloneName(long, 63))).toBe(63);
    expect(cloneName('é'.repeat(40), 63)).toBe(`${'é'.repeat(28)}_clone`);
    expect(cloneName('x'.repeat(40), 32)).toHaveLength(32);
  });

  it('alternates between the base and its clone, using AWSPREVIOUS for a truncated base', () => {
    expect(alternation('app', undefined, 63)).toEqual({ base: 'app', next: 'app_clone' });
    expect(alternation('app_clone', 'app', 63)).toEqual({ base: 'app', next: 'app' });
    expect(alternation('app_clone', undefined, 63)).toEqual({ base: 'app', next: 'app' });
    const long = 'b'.repeat(60);
    const clone = cloneName(long, 63);
    expect(alternation(long, undefined, 63)).toEqual({ base: long, next: clone });
    expect(alternation(clone, long, 63)).toEqual({ base: long, next: long });
    expect(() => alternation(clone, undefined, 63)).toThrow(
      expect.objectContaining({ reason: 'INVALID_SECRET' }),
    );
  });

  it('reads connection timeouts from the environment', () => {
    expect(connectionSettingsFromEnv({})).toEqual({ connectTimeoutMs: 5_000, queryTimeoutMs: 10_000 });
    expect(connectionSettingsFromEnv({ DB_CONNECT_TIMEOUT_MS: '750' }).connectTimeoutMs).toBe(750);
    expect(() => connectionSettingsFromEnv({ DB_QUERY_TIMEOUT_MS: '0' })).toThrow(
      expect.objectContaining({ variable: 'DB_QUERY_TIMEOUT_MS' }),
    );
    expect(() => connectionSettingsFromEnv({ DB_QUERY_TIMEOUT_MS: String(2 ** 31) })).toThrow(
      expect.objectContaining({ variable: 'DB_QUERY_TIMEOUT_MS' }),
    );
  });
});

describe('the database secret shape, one rule for writers and readers (lib/core)', () => {
  it.each(['postgres', 'mysql', 'mariadb'] as const)(
    'reads what generateDatabaseCredentials writes for %s, with the same default port',
    (engine) => {
      const credentials = generateDatabaseCredentials({
        engine,
        host: 'db.internal',
        username: 'app',
        dbname: 'shop',
      });
      const read = parseByTheRule(credentials.toSecretString());
      expect(read).toMatchObject({
        engine,
        host: 'db.internal',
        port: credentials.port,
        username: 'app',
        dbname: 'shop',
        ssl: true,
      });
      expect(read.password).toBe(credentials.password);
    },
  );

  it.each([
    ['not JSON', 'nope', 'secret'],
    ['an unknown engine', JSON.stringify({ ...base, engine: 'db2' }), 'engine'],
    ['an empty host', JSON.stringify({ ...base, host: '' }), 'host'],
    ['a port out of range', JSON.stringify({ ...base, port: 0 }), 'port'],
    ['ssl as a string', JSON.stringify({ ...base, ssl: 'yes' }), 'ssl'],
    ['a masterarn that is not a string', JSON.stringify({ ...base, masterarn: 7 }), 'masterarn'],
  ])('refuses %s with a ValidationError whose field names the key', (_what, text, field) => {
    expect(() => parseByTheRule(text)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR', field }));
  });
});
