import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsClient } from '../client';
import { isKeystageError } from '../errors';
import { startLocalEndpoint } from '../local';

/** Shows that a value exists without showing it. */
function masked(value: string | Uint8Array): string {
  return typeof value === 'string'
    ? `•••••••• (${value.length} characters)`
    : `•••••••• (${value.length} bytes)`;
}

/**
 * A short scripted tour of keystage against an in-process local endpoint: create secrets
 * of several kinds, read them, add a version, roll back, revoke and restore. Values are
 * never printed, only their size.
 * @example
 * await runTour((line) => process.stdout.write(`${line}\n`));
 */
export async function runTour(print: (line: string) => void): Promise<void> {
  const endpoint = await startLocalEndpoint({ inMemory: true });
  const config = {
    endpoint: endpoint.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const kms = new KMSClient(config);
  const secrets = new SecretsClient({ secretsManager: new SecretsManagerClient(config), kms });
  const step = (title: string) => print(`\n▸ ${title}`);
  try {
    print(`keystage tour — local Secrets Manager + KMS endpoint at ${endpoint.url}`);

    step('Create secrets of several kinds (values are generated)');
    const keyId =
      (await kms.send(new CreateKeyCommand({ Description: 'tour data keys' }))).KeyMetadata?.KeyId ?? '';
    const created = [
      await secrets.create({
        name: 'db',
        kind: 'database',
        environment: 'demo',
        service: 'billing',
        database: {
          engine: 'postgres',
          host: 'billing.db.internal',
          dbname: 'billing',
          username: 'billing_app',
        },
      }),
      await secrets.create({
        name: 'partner-api',
        kind: 'api-key',
        environment: 'demo',
        service: 'billing',
        apiKeyPrefix: 'acme',
      }),
      await secrets.create({
        name: 'signing-key',
        kind: 'symmetric-key',
        environment: 'demo',
        service: 'billing',
      }),
      await secrets.create({
        name: 'envelope-key',
        kind: 'data-key',
        environment: 'demo',
        service: 'billing',
        kmsKeyId: keyId,
      }),
    ];
    for (const ref of created) print(`  created ${ref.name}  (${ref.arn})`);

    step('Read them back through SecretsClient');
    const db = await secrets.getJson<{
      engine: string;
      host: string;
      port: number;
      username: string;
      password: string;
    }>('demo/billing/db');
    print(
      `  demo/billing/db           ${db.engine}://${db.username}@${db.host}:${db.port}  password ${masked(db.password)}`,
    );
    print(`  demo/billing/partner-api  ${masked(await secrets.get('demo/billing/partner-api'))}`);
    print(`  demo/billing/signing-key  ${masked(await secrets.getBinary('demo/billing/signing-key'))}`);
    const envelope = await secrets.getJson<{ keySpec: string }>('demo/billing/envelope-key');
    print(
      `  demo/billing/envelope-key ${envelope.keySpec} data key, stored wrapped by KMS (never in plaintext)`,
    );

    step('Put a new version of the API key and list the versions');
    await secrets.put('demo/billing/partner-api', 'acme_rotated_by_hand_for_the_tour_0000');
    for (const version of await secrets.versions('demo/billing/partner-api')) {
      print(`  ${version.versionId}  ${version.stages.join(', ')}`);
    }

    step('Roll back: AWSCURRENT returns to AWSPREVIOUS (a compare-and-swap)');
    const rollback = await secrets.rollback('demo/billing/partner-api');
    print(`  AWSCURRENT moved from ${rollback.fromVersionId} to ${rollback.toVersionId}`);

    step('Revoke the API key, then try to read it');
    await secrets.revoke('demo/billing/partner-api', { reason: 'tour: key shown on a screen share' });
    try {
      await secrets.get('demo/billing/partner-api');
      print('  read succeeded (unexpected)');
    } catch (error) {
      print(`  read refused: ${isKeystageError(error) ? error.code : String(error)}`);
    }

    step('Restore it and read again');
    await secrets.restore('demo/billing/partner-api');
    print(`  read ok: ${masked(await secrets.get('demo/billing/partner-api'))}`);

    step('Everything keystage manages here');
    for await (const item of secrets.list({ environment: 'demo' })) {
      print(`  ${item.name.padEnd(26)} kind=${item.keystage.kind ?? '-'}  status=${item.keystage.status}`);
    }
    print('\nDone.');
  } finally {
    await endpoint.close();
  }
}
