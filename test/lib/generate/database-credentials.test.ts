import { inspect } from 'node:util';
import { DEFAULT_PORTS, generateDatabaseCredentials } from '../../../lib/generate';

describe('generateDatabaseCredentials', () => {
  it('builds the JSON AWS rotation functions read', () => {
    const credentials = generateDatabaseCredentials({
      engine: 'postgres',
      host: 'db.internal',
      dbname: 'billing',
      username: 'billing_app',
    });
    expect(JSON.parse(credentials.toSecretString())).toEqual({
      engine: 'postgres',
      host: 'db.internal',
      port: 5432,
      username: 'billing_app',
      password: credentials.password,
      dbname: 'billing',
    });
    expect(credentials.password).toMatch(/^[A-Za-z0-9._-]{32}$/);
  });

  it.each(Object.entries(DEFAULT_PORTS))('defaults %s to port %i', (engine, port) => {
    const credentials = generateDatabaseCredentials({ engine: engine as 'mysql', host: 'h', username: 'u' });
    expect(credentials.port).toBe(port);
  });

  it('applies the password policy', () => {
    const credentials = generateDatabaseCredentials({
      engine: 'mysql',
      host: '10.0.0.5',
      port: 3307,
      username: 'app',
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
      MYSQL_HOST: 'evil',
    });
    try {
      const credentials = generateDatabaseCredentials({ engine: 'postgres', host: 'db', username: 'app' });
      expect(credentials).toMatchObject({ host: 'db', port: 5432, username: 'app', dbname: undefined });
    } finally {
      process.env = saved;
    }
  });

  it('redacts the password in JSON and inspect', () => {
    const credentials = generateDatabaseCredentials({ engine: 'mariadb', host: 'h', username: 'u' });
    expect(JSON.stringify(credentials)).not.toContain(credentials.password);
    expect(JSON.stringify(credentials)).toContain('[REDACTED]');
    expect(inspect(credentials)).not.toContain(credentials.password);
    expect(inspect({ nested: { credentials } }, { depth: 5 })).not.toContain(credentials.password);
  });

  it.each([
    [{ engine: 'mongo', host: 'h', username: 'u' }, 'engine'],
    [{ engine: 'postgres', host: '', username: 'u' }, 'host'],
    [{ engine: 'postgres', host: 'a b', username: 'u' }, 'host'],
    [{ engine: 'postgres', host: 'h', port: 0, username: 'u' }, 'port'],
    [{ engine: 'postgres', host: 'h', port: 65_536, username: 'u' }, 'port'],
    [{ engine: 'postgres', host: 'h', username: '' }, 'username'],
    [{ engine: 'postgres', host: 'h', username: 'drop table;' }, 'username'],
    [{ engine: 'postgres', host: 'h', username: 'u', dbname: '1db' }, 'dbname'],
    [{ engine: 'postgres', host: 'h', username: 'u', password: { length: 4 } }, 'length'],
  ])('rejects %p naming %s', (input, field) => {
    expect(() => generateDatabaseCredentials(input as never)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', field }),
    );
  });
});
