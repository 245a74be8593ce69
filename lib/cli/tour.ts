import type * as LogsSdk from '@aws-sdk/client-cloudwatch-logs';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CloudWatchLogsAuditSink, cloudWatchLogsSdk } from '../audit';
import { SecretsClient } from '../client';
import { ConfigurationError, isKeystageError } from '../errors';
import { startLocalEndpoint } from '../local';

/** Shows that a value exists without showing it. */
function masked(value: string | Uint8Array): string {
  return typeof value === 'string'
    ? `•••••••• (${value.length} characters)`
    : `•••••••• (${value.length} bytes)`;
}

/** Where the tour's audit events go, in the endpoint's CloudWatch Logs. */
const AUDIT_GROUP = '/keystage/tour/audit';
const AUDIT_STREAM = 'tour';

/** The CloudWatch Logs SDK when installed (an optional peer): without it the tour skips the audit. */
function logsSdk(): typeof LogsSdk | undefined {
  try {
    return cloudWatchLogsSdk();
  } catch (error) {
    if (error instanceof ConfigurationError) return undefined;
    throw error;
  }
}

/** Where the tour's audit events go and how they are read back. */
interface Trail {
  readonly sdk: typeof LogsSdk;
  readonly logs: LogsSdk.CloudWatchLogsClient;
  readonly sink: CloudWatchLogsAuditSink;
}

/** One audit event as the tour prints it: what happened, never a value (events hold none). */
function auditLine(message: string | undefined): string {
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(message ?? '') as Record<string, unknown>;
  } catch {
    return '  (an event that is not JSON)';
  }
  const field = (name: string, width = 0) => String(event[name] ?? '-').padEnd(width);
  return `  ${field('seq', 3)} ${field('event_type', 15)} ${field('action', 9)} ${field('secret_name', 26)} cache_hit=${field('cache_hit', 5)}  success=${field('success')}`;
}

/**
 * A short scripted tour of keystage against an in-process local endpoint: create secrets
 * of several kinds, read them, add a version, roll back, revoke and restore, every call
 * audited to the endpoint's CloudWatch Logs, and the audit events read back. Values are
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
  const sdk = logsSdk();
  let trail: Trail | undefined;
  if (sdk !== undefined) {
    const logs = new sdk.CloudWatchLogsClient(config);
    const sink = new CloudWatchLogsAuditSink({
      client: logs,
      logGroupName: AUDIT_GROUP,
      logStreamName: AUDIT_STREAM,
      createLogGroup: false,
    });
    trail = { sdk, logs, sink };
  }
  const secrets = new SecretsClient({
    secretsManager: new SecretsManagerClient(config),
    kms,
    ...(trail === undefined ? {} : { audit: trail.sink }),
    principal: { id: 'tour-user', service: 'billing', environment: 'demo', roles: ['developer'] },
  });
  const step = (title: string) => print(`\n▸ ${title}`);
  try {
    print(`keystage tour — local Secrets Manager + KMS + CloudWatch Logs endpoint at ${endpoint.url}`);
    if (trail !== undefined) {
      // The group and stream exist before the first event, as the AuditLog construct's would.
      const ids = { logGroupName: AUDIT_GROUP, logStreamName: AUDIT_STREAM };
      await trail.logs.send(new trail.sdk.CreateLogGroupCommand({ logGroupName: AUDIT_GROUP }));
      await trail.logs.send(new trail.sdk.CreateLogStreamCommand(ids));
    }

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

    step(
      'Audit: read a new secret twice (the second read is a cache hit), then the trail in CloudWatch Logs',
    );
    await secrets.create({
      name: 'webhook-key',
      kind: 'api-key',
      environment: 'demo',
      service: 'billing',
      apiKeyPrefix: 'hook',
    });
    await secrets.get('demo/billing/webhook-key');
    await secrets.get('demo/billing/webhook-key');
    if (trail === undefined) {
      print(
        '  skipped: npm install @aws-sdk/client-cloudwatch-logs to see every call arrive in CloudWatch Logs',
      );
    } else {
      await trail.sink.flush();
      const { events } = await trail.logs.send(
        new trail.sdk.GetLogEventsCommand({
          logGroupName: AUDIT_GROUP,
          logStreamName: AUDIT_STREAM,
          startFromHead: true,
        }),
      );
      print(
        `  ${'seq'.padEnd(3)} ${'event_type'.padEnd(15)} ${'action'.padEnd(9)} ${'secret_name'.padEnd(26)} cache_hit    success`,
      );
      for (const event of events ?? []) print(auditLine(event.message));
      print(
        `  ${events?.length ?? 0} events in ${AUDIT_GROUP}, hash-chained (prev): every call audited, cache hits included, no value in any`,
      );
    }
    print('\nDone.');
  } finally {
    await trail?.sink.close();
    await endpoint.close();
  }
}
