import type { SecretsClient } from 'keystage';

/** Where a PostgreSQL database is, and a user that may log in to it. */
export interface DatabaseLogin {
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
  readonly username: string;
  readonly password: string;
}

export async function versionsExample(secrets: SecretsClient, login: DatabaseLogin) {
  const id = 'prod/billing/db';
  const first = { engine: 'postgres', ...login, ssl: false }; // no TLS to a database on loopback
  // exists reads metadata only (DescribeSecret); only "not found" is false, a refusal throws.
  if (!(await secrets.exists(id))) {
    await secrets.create({
      environment: 'prod',
      service: 'billing',
      name: 'db',
      kind: 'database',
      value: first,
    });
  }

  // Someone stores a new version by hand: a pool size, and a password the database does not know.
  await secrets.put(id, { ...first, password: 'typed-by-hand', pool: 10 });

  // What changed: key names as dotted paths, values compared by digest in constant time, never shown.
  const changes = await secrets.diff(id, 'AWSPREVIOUS', 'AWSCURRENT');
  // { format: 'json', changed: true, keys: { added: ['pool'], removed: [], changed: ['password'], unchanged: 6 }, ... }

  // Does it work? A database secret logs in; a certificate's chain, expiry and key are checked,
  // an API key's checksum, a data key unwraps with KMS; every kind is checked for its shape.
  const current = await secrets.test(id);
  // { ok: false, kind: 'database', checks: [{ name: 'shape', ok: true, … },
  //   { name: 'login', ok: false, reason: 'PostgreSQL refused the credentials (SQLSTATE 28P01 invalid_password).' }] }
  const previous = await secrets.test(id, { versionStage: 'AWSPREVIOUS' }); // ok: true

  // Back to the version that works, as a compare-and-swap on the one just tested: if another
  // writer moved AWSCURRENT since, this fails with CONFLICT and changes nothing.
  await secrets.rollback(id, { fromVersionId: current.versionId, toVersionId: previous.versionId });

  return {
    changes,
    current: current.checks.map((check) => `${check.name}: ${check.ok ? 'ok' : check.reason}`),
    previousOk: previous.ok,
    nowOk: (await secrets.test(id)).ok,
    missing: await secrets.exists('prod/billing/no-such-secret'),
  };
}
