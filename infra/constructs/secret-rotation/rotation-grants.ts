import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { secretPolicyArn } from '../secret-policy-arn';
import { viaService } from '../via-service';

/** What a rotation function's role needs to be granted. */
export interface RotationFunctionAccess {
  /** The secret it rotates. */
  readonly secret: secretsmanager.ISecret;
  /** The secret's customer managed key, if it has one. */
  readonly key: kms.IKey | undefined;
  /** The master user's secret, for alternating users. */
  readonly masterSecret: secretsmanager.ISecret | undefined;
  /** The master secret's customer managed key, if it has one. */
  readonly masterKey: kms.IKey | undefined;
  /** The CA secret, for certificates. @default - none */
  readonly caSecret?: secretsmanager.ISecret;
  /** The CA secret's customer managed key, if it has one. @default - none */
  readonly caKey?: kms.IKey;
  /** The function's log group. */
  readonly logGroup: logs.ILogGroup;
  /** True when the function runs in a VPC. */
  readonly inVpc: boolean;
}

/**
 * The rotation function's permissions, as inline statements on its role and nothing more: the
 * calls of the rotation protocol on this secret only (AWS's documented rotation policy), reading
 * the master secret or the CA secret, the keys through Secrets Manager only (`kms:ViaService`), its own log group,
 * GetRandomPassword, and in a VPC the network-interface calls Lambda makes for it.
 */
export function grantRotationFunction(role: iam.Role, access: RotationFunctionAccess): void {
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ],
      resources: [secretPolicyArn(access.secret)],
    }),
  );
  if (access.masterSecret !== undefined) {
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretPolicyArn(access.masterSecret)],
      }),
    );
  }
  if (access.caSecret !== undefined) {
    // Read only: the CA's key signs inside the function, and the CA secret is never written.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretPolicyArn(access.caSecret)],
      }),
    );
  }
  if (access.key !== undefined) {
    // Decrypt to read versions, GenerateDataKey for PutSecretValue, only via Secrets Manager.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [access.key.keyArn],
        conditions: viaService(role),
      }),
    );
  }
  if (access.masterKey !== undefined && access.masterKey !== access.key) {
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [access.masterKey.keyArn],
        conditions: viaService(role),
      }),
    );
  }
  if (access.caKey !== undefined && access.caKey !== access.key && access.caKey !== access.masterKey) {
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [access.caKey.keyArn],
        conditions: viaService(role),
      }),
    );
  }
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [access.logGroup.logGroupArn],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({ actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] }),
  );
  if (access.inVpc) {
    // What AWSLambdaVPCAccessExecutionRole grants for the function's network interfaces,
    // without its logs:* part. Lambda needs them on *: the interface ids do not exist yet.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
  }
}

/** Why the role's `*` resources are acceptable, for cdk-nag's IAM5 acknowledgement. */
export function wildcardReason(inVpc: boolean): string {
  return inVpc
    ? 'secretsmanager:GetRandomPassword acts on no resource, and Lambda creates, describes and deletes ' +
        'the VPC network interfaces (not yet existing, so unnamed) with ec2 actions IAM grants only on *.'
    : 'secretsmanager:GetRandomPassword acts on no resource, so IAM can only grant it on *.';
}

/**
 * `secretsmanager:RotateSecret` on `secret` for `grantee`, and only while `fn` is the secret's
 * rotation function (`secretsmanager:resource/AllowRotationLambdaArn`).
 */
export function grantRotate(
  grantee: iam.IGrantable,
  secret: secretsmanager.ISecret,
  fn: lambda.IFunction,
): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['secretsmanager:RotateSecret'],
    resourceArns: [secretPolicyArn(secret)],
    conditions: {
      StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': fn.functionArn },
    },
  });
}
