import type { PolicyOperation } from './operations';

/**
 * The Secrets Manager IAM actions behind each operation. Every action belongs to exactly
 * one operation, so allowing or denying one operation in IAM never allows or denies
 * another; where a keystage call needs actions of two operations (create tags the new
 * secret; revoke also tags it and cancels its rotation), the caller needs both operations
 * in IAM, as the README's table says.
 *
 * `resource` actions take a secret ARN; `account` actions (ListSecrets, BatchGetSecretValue)
 * have no resource type in IAM, so they can only be granted on `*` and never appear in a
 * resource policy. BatchGetSecretValue is harmless on `*`: Secrets Manager also checks
 * GetSecretValue on each secret of the batch.
 * @example
 * SECRETS_MANAGER_ACTIONS.read.resource; // ['secretsmanager:GetSecretValue']
 */
export const SECRETS_MANAGER_ACTIONS: Readonly<
  Record<PolicyOperation, { readonly resource: readonly string[]; readonly account: readonly string[] }>
> = Object.freeze({
  read: { resource: ['secretsmanager:GetSecretValue'], account: ['secretsmanager:BatchGetSecretValue'] },
  list: {
    resource: [
      'secretsmanager:DescribeSecret',
      'secretsmanager:ListSecretVersionIds',
      'secretsmanager:GetResourcePolicy',
    ],
    account: ['secretsmanager:ListSecrets'],
  },
  create: { resource: ['secretsmanager:CreateSecret'], account: [] },
  update: {
    resource: [
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecret',
      'secretsmanager:UpdateSecretVersionStage',
    ],
    account: [],
  },
  rotate: { resource: ['secretsmanager:RotateSecret', 'secretsmanager:CancelRotateSecret'], account: [] },
  delete: { resource: ['secretsmanager:DeleteSecret', 'secretsmanager:RestoreSecret'], account: [] },
  revoke: {
    resource: ['secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy'],
    account: [],
  },
  manage: {
    resource: [
      'secretsmanager:TagResource',
      'secretsmanager:UntagResource',
      'secretsmanager:ReplicateSecretToRegions',
      'secretsmanager:RemoveRegionsFromReplication',
      'secretsmanager:StopReplicationToReplica',
    ],
    account: [],
  },
});
