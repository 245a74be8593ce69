import { SecretsClient, isKeystageError } from 'keystage';

interface DatabaseSecret {
  engine: string;
  host: string;
  port: number;
  dbname: string;
  username: string;
  password: string;
}

export async function quickStart(secrets = new SecretsClient()): Promise<DatabaseSecret> {
  // Create a PostgreSQL credential. keystage generates the password: 32 characters that
  // need no escaping in a URI, a .pgpass line, a JDBC string or a shell.
  await secrets.create({
    name: 'db',
    kind: 'database',
    environment: 'prod',
    service: 'billing',
    database: { engine: 'postgres', host: 'billing.db.internal', dbname: 'billing', username: 'billing_app' },
  });

  // Read it back, checked: a bad shape is a DECODE_ERROR whose message never shows the value.
  const db = await secrets.getJson<DatabaseSecret>('prod/billing/db', {
    validate: (value) => {
      const v = value as DatabaseSecret;
      if (typeof v.username !== 'string' || typeof v.password !== 'string')
        throw new TypeError('not a credential');
      return v;
    },
  });

  // An API key for a partner, then a new version of it, then back to the old one.
  await secrets.create({ name: 'partner-api', kind: 'api-key', environment: 'prod', service: 'billing' });
  await secrets.put('prod/billing/partner-api', 'ks_replacement_key_for_the_demo_000000');
  await secrets.rollback('prod/billing/partner-api'); // AWSCURRENT moves back to AWSPREVIOUS

  // Every failure has a stable code to branch on.
  try {
    await secrets.get('prod/billing/no-such-secret');
  } catch (error) {
    if (!isKeystageError(error, 'SECRET_NOT_FOUND')) throw error;
  }
  return db;
}
