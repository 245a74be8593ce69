import { inspect } from 'node:util';
import {
  DEFAULT_PORTS,
  DatabaseCredentials,
  generateDatabaseCredentials,
  type DatabaseCredentialsInput,
} from '../../../lib/generate';

const BASE: DatabaseCredentialsInput = { engine: 'postgres', host: 'db.internal', username: 'app' };

describe('generateDatabaseCredentials', () => {
  it('builds the JSON AWS rotation functions read', () => {
    const credentials = generateDatabaseCredentials({ ...BASE, dbname: 'billing', username: 'billing_app' });
    expect(credentials).toBeInstanceOf(DatabaseCredentials);
    expect(JSON.parse(credentials.toSecretString())).toEqual({
      engine: 'postgres',
      host: 'db.internal',
      port: 5432,
      username: 'billing_app',
      password: credentials.password,
      dbname: 'billing',
    });
  });

  it('leaves dbname out of the secret when none is given', () => {
    const json = JSON.parse(generateDatabaseCredentials(BASE).toSecretString()) as object;
    expect(Object.keys(json).sort()).toEqual(['engine', 'host', 'password', 'port', 'username']);
  });

  it('generates a 32-character password from the default policy', () => {
    expect(generateDatabaseCredentials(BASE).password).toMatch(/^[A-Za-z0-9._-]{32}$/);
  });

  it('generates a new password each time', () => {
    expect(generateDatabaseCredentials(BASE).password).not.toBe(generateDatabaseCredentials(BASE).password);
  });

  it('has the standard port of each engine', () => {
    expect(DEFAULT_PORTS).toEqual({
      postgres: 5432,
      mysql: 3306,
      mariadb: 3306,
      oracle: 1521,
      sqlserver: 1433,
      redshift: 5439,
    });
  });

  it.each(Object.entries(DEFAULT_PORTS))('defaults %s to port %i', (engine, port) => {
    const credentials = generateDatabaseCredentials({ ...BASE, engine: engine as 'mysql' });
    expect(credentials.port).toBe(port);
    expect(JSON.parse(credentials.toSecretString())).toMatchObject({ engine, port });
  });

  it('applies the given port and password policy', () => {
    const credentials = generateDatabaseCredentials({
      ...BASE,
      engine: 'mysql',
      host: '10.0.0.5',
      port: 3307,
      password: { length: 20, symbols: false },
    });
    expect(credentials.password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(credentials.port).toBe(3307);
  });

  it('ignores the PG* and MYSQL_* environment', () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      PGHOST: 'evil',
      PGPORT: '1',
      PGUSER: 'root',
      PGDATABASE: 'x',
      PGPASSWORD: 'from-the-environment',
      MYSQL_HOST: 'evil',
      MYSQL_PWD: 'from-the-environment',
    });
    try {
      const credentials = generateDatabaseCredentials({ ...BASE, host: 'db' });
      expect(credentials).toMatchObject({ host: 'db', port: 5432, username: 'app', dbname: undefined });
      expect(credentials.password).not.toBe('from-the-environment');
      expect(credentials.toSecretString()).not.toMatch(/evil|root|from-the-environment/);
    } finally {
      process.env = saved;
    }
  });

  it('redacts the password in JSON', () => {
    const credentials = generateDatabaseCredentials({ ...BASE, engine: 'mariadb' });
    const json = JSON.stringify({ nested: [credentials] });
    expect(json).not.toContain(credentials.password);
    expect(JSON.parse(JSON.stringify(credentials))).toEqual({
      engine: 'mariadb',
      host: 'db.internal',
      port: 3306,
      username: 'app',
      password: '[REDACTED]',
    });
  });

  it('redacts the password in inspect, String and a spread', () => {
    const credentials = generateDatabaseCredentials(BASE);
    const shown = [
      inspect(credentials),
      inspect({ nested: { credentials } }, { depth: 10, showHidden: true }),
      String(credentials),
      JSON.stringify({ ...credentials }),
      JSON.stringify(Object.entries(credentials)),
    ].join('\n');
    expect(shown).not.toContain(credentials.password);
    expect(inspect(credentials)).toContain('[REDACTED]');
  });

  it.each<[string, unknown, string]>([
    ['an unknown engine', { ...BASE, engine: 'mongo' }, 'engine'],
    ['an inherited name as engine', { ...BASE, engine: 'toString' }, 'engine'],
    ['an empty host', { ...BASE, host: '' }, 'host'],
    ['a host with a space', { ...BASE, host: 'a b' }, 'host'],
    ['a host with a newline', { ...BASE, host: 'a\nb' }, 'host'],
    ['a host with userinfo', { ...BASE, host: 'user@evil' }, 'host'],
    ['a 254-character host', { ...BASE, host: 'a'.repeat(254) }, 'host'],
    ['port 0', { ...BASE, port: 0 }, 'port'],
    ['port 65536', { ...BASE, port: 65_536 }, 'port'],
    ['port 5432.5', { ...BASE, port: 5432.5 }, 'port'],
    ['a string port', { ...BASE, port: '5432' }, 'port'],
    ['an empty username', { ...BASE, username: '' }, 'username'],
    ['a username with SQL in it', { ...BASE, username: 'drop table;' }, 'username'],
    ['a username starting with a digit', { ...BASE, username: '1app' }, 'username'],
    ['a 129-character username', { ...BASE, username: 'a'.repeat(129) }, 'username'],
    ['a dbname starting with a digit', { ...BASE, dbname: '1db' }, 'dbname'],
    ['an empty dbname', { ...BASE, dbname: '' }, 'dbname'],
    ['a too-short password', { ...BASE, password: { length: 4 } }, 'length'],
    ['no input', undefined, 'database'],
  ])('rejects %s', (_, input, field) => {
    expect(() => generateDatabaseCredentials(input as DatabaseCredentialsInput)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', field }),
    );
  });

  it('accepts the longest host and username', () => {
    const credentials = generateDatabaseCredentials({
      ...BASE,
      host: 'h'.repeat(253),
      username: 'u'.repeat(128),
    });
    expect(credentials.host).toHaveLength(253);
    expect(credentials.username).toHaveLength(128);
  });
});
