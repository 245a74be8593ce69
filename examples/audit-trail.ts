import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsClient } from 'keystage';
import {
  CloudWatchLogsAuditSink,
  kmsMacCheckpoints,
  verifyAuditTrail,
  type AuditEvent,
} from 'keystage/audit';

const logGroupName = '/keystage/audit'; // the AuditLog construct's group (KMS-encrypted, with retention)

export function auditedSecrets(
  aws: { secretsManager: SecretsManagerClient; logs: CloudWatchLogsClient; kms: KMSClient },
  keyId: string, // an HMAC_256 KMS key: checkpoints are GenerateMac, verification VerifyMac
) {
  const audit = new CloudWatchLogsAuditSink({
    client: aws.logs,
    logGroupName,
    checkpoints: { key: kmsMacCheckpoints({ keyId, kms: aws.kms }) },
  });
  const secrets = new SecretsClient({
    secretsManager: aws.secretsManager,
    audit, // every call is audited, cache hits included; auditFailClosed: true to withhold values
    principal: { id: 'billing-api', service: 'billing', environment: 'prod', roles: ['service'] },
  });
  // At shutdown, `await audit.close()` writes what is buffered and a last checkpoint.
  return { secrets, audit };
}

export async function checkStream(
  logs: CloudWatchLogsClient,
  kms: KMSClient,
  logStreamName: string,
  keyId: string,
) {
  const events: AuditEvent[] = [];
  let nextToken: string | undefined;
  for (;;) {
    const page = await logs.send(
      new GetLogEventsCommand({ logGroupName, logStreamName, startFromHead: true, nextToken }),
    );
    events.push(...(page.events ?? []).map((event) => JSON.parse(event.message!) as AuditEvent));
    if ((page.events ?? []).length === 0 || page.nextForwardToken === nextToken) break;
    nextToken = page.nextForwardToken;
  }
  // problems: [{ kind: 'deleted', index: 41, seq: 42, missing: { from: 42, to: 42 }, message }], or none
  return verifyAuditTrail(events, { verifier: kmsMacCheckpoints({ keyId, kms }) });
}
