import { limitExceeded, malformedPolicy } from './faults';

/** The key policy quota: 32 KiB. */
const MAX_POLICY_BYTES = 32_768;

/**
 * The default key policy KMS attaches when CreateKey has none: the account's root principal
 * may do anything with the key, which hands access control to IAM policies.
 */
export function defaultKeyPolicy(accountId: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${accountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

/**
 * The policy of an AWS managed key: principals of the account may use it through the service
 * that owns it, and may view it.
 */
export function managedKeyPolicy(accountId: string, region: string, service: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: `auto-${service}-1`,
      Statement: [
        {
          Sid: `Allow access through ${service} for all principals in the account that are authorized to use ${service}`,
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:CreateGrant', 'kms:DescribeKey'],
          Resource: '*',
          Condition: {
            StringEquals: {
              'kms:CallerAccount': accountId,
              'kms:ViaService': `${service}.${region}.amazonaws.com`,
            },
          },
        },
        {
          Sid: 'Allow access through the account for describing and listing the key',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${accountId}:root` },
          Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks that a key policy is a policy document: JSON, an object with a Statement (one or a
 * list), each statement with an Effect, a principal and an action. The endpoint stores key
 * policies but does not evaluate them: it has no caller identities.
 */
export function checkKeyPolicy(policy: string): void {
  if (Buffer.byteLength(policy, 'utf8') > MAX_POLICY_BYTES) {
    throw limitExceeded(`The key policy is larger than the quota of ${MAX_POLICY_BYTES} bytes: shorten it.`);
  }
  let document: unknown;
  try {
    document = JSON.parse(policy);
  } catch {
    throw malformedPolicy('The key policy is not valid JSON: pass a JSON policy document.');
  }
  if (!isObject(document) || document.Statement === undefined) {
    throw malformedPolicy(
      'The key policy has no Statement: a policy document is an object with a Statement.',
    );
  }
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  if (statements.length === 0) {
    throw malformedPolicy('The key policy has an empty Statement list: add at least one statement.');
  }
  statements.forEach((statement: unknown, i) => {
    const where = `Statement ${i + 1} of the key policy`;
    if (!isObject(statement)) throw malformedPolicy(`${where} is not an object.`);
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      throw malformedPolicy(`${where} has no Effect of Allow or Deny.`);
    }
    if (statement.Principal === undefined && statement.NotPrincipal === undefined) {
      throw malformedPolicy(
        `${where} has no Principal: each statement of a key policy names its principals.`,
      );
    }
    if (statement.Action === undefined && statement.NotAction === undefined) {
      throw malformedPolicy(`${where} has no Action.`);
    }
  });
}
