/**
 * Finds the secrets an EventBridge event is about, for cache invalidation. Understands the
 * native `Secret Label Updated` event and CloudTrail events (`AWS API Call via CloudTrail`
 * for writes, `AWS Service Event via CloudTrail` for RotationSucceeded). Events written
 * before February 2024 spell the ARN key `aRN`; both spellings are read.
 */

const WRITES = new Set([
  'PutSecretValue',
  'UpdateSecret',
  'UpdateSecretVersionStage',
  'RotateSecret',
  'CancelRotateSecret',
  'DeleteSecret',
  'RestoreSecret',
  'PutResourcePolicy',
  'DeleteResourcePolicy',
  'RotationSucceeded',
  'RotationFailed',
  'RotationAbandoned',
]);

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;

function strings(...values: unknown[]): string[] {
  return values.filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** The secret ids (ARNs or names) the event says changed; empty when it is not about a change. */
export function secretIdsFromEvent(event: unknown): string[] {
  const root = asObject(event);
  const detail = asObject(root?.detail);
  if (root === undefined || detail === undefined) return [];
  const type = root['detail-type'];
  const isLabelEvent = type === 'Secret Label Updated' || type === 'Secret Version Label Updated';
  const isCloudTrail = type === 'AWS API Call via CloudTrail' || type === 'AWS Service Event via CloudTrail';
  if (!isLabelEvent && !(isCloudTrail && WRITES.has(String(detail.eventName)))) return [];
  const request = asObject(detail.requestParameters);
  const response = asObject(detail.responseElements);
  const extra = asObject(detail.additionalEventData);
  const service = asObject(detail.serviceEventDetails);
  const resources = Array.isArray(root.resources) ? root.resources : [];
  const ids = strings(
    ...resources,
    // Secret Label Updated carries the ARN in `resources` and the name in `detail.name`.
    isLabelEvent ? detail.name : undefined,
    detail.secretArn,
    detail.secretId,
    detail.SecretId,
    detail.arn,
    detail.aRN,
    request?.secretId,
    request?.SecretId,
    response?.arn,
    response?.aRN,
    extra?.SecretId,
    extra?.secretId,
    service?.secretArn,
    service?.arn,
    service?.aRN,
  ).filter((id) => !id.startsWith('arn:') || id.includes(':secretsmanager:'));
  return [...new Set(ids)];
}
