import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { AccessPolicy } from '../../lib/policy';

/** What a reader of a secret's value needs. */
export const READ_ACTIONS = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
/** What a writer of a secret's versions needs. */
export const WRITE_ACTIONS = ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'];

/**
 * What a secret's resource policy holds beside its {@link ManagedSecretProps.accessPolicy}:
 * IAM principals, and guards that hold whatever the access policy says.
 */
export interface SecretResourcePolicy {
  /**
   * Principals that may read the value (GetSecretValue, DescribeSecret). With
   * `denyOutsideAccount` on, they must be of this account.
   * @default none beyond IAM and the access policy
   */
  readonly readers?: readonly iam.IPrincipal[];
  /**
   * Principals that may write versions (PutSecretValue, UpdateSecretVersionStage).
   * @default none beyond IAM and the access policy
   */
  readonly writers?: readonly iam.IPrincipal[];
  /**
   * Deny every Secrets Manager action on the secret to principals outside this account
   * (`aws:PrincipalAccount`), whatever their own policies, `readers`/`writers` or the access
   * policy say.
   * @default true
   */
  readonly denyOutsideAccount?: boolean;
  /**
   * Deny GetSecretValue unless the request arrives through one of these VPC endpoints
   * (`aws:SourceVpce`, ids like `vpce-0123456789abcdef0`). Exempt are requests an AWS service
   * makes on a principal's behalf (`aws:ViaAWSService`, e.g. CloudFormation resolving a
   * dynamic reference); everything else, the console, CLI and rotation function included,
   * must come through an endpoint.
   * @default no endpoint restriction
   */
  readonly requireVpcEndpoints?: readonly string[];
  /**
   * The principal tag that carries a caller's keystage role, for access-policy rules with
   * `roles`.
   * @default 'keystage:role'
   */
  readonly roleTag?: string;
  /**
   * The roles principals are tagged with; access-policy rules naming other roles cannot be
   * rendered (each is a warning).
   * @default - every role
   */
  readonly taggedRoles?: readonly string[];
}

/**
 * Writes `policy` and the rendered `access` policy into the secret's resource policy; what IAM
 * cannot say is a warning annotation on `scope`, never dropped.
 */
export function applyResourcePolicy(
  scope: Construct,
  secret: secretsmanager.Secret,
  secretName: string,
  access: AccessPolicy,
  policy: SecretResourcePolicy,
): void {
  const stack = Stack.of(scope);
  const add = (statement: iam.PolicyStatement) => secret.addToResourcePolicy(statement);
  if ((policy.readers ?? []).length > 0) {
    add(
      new iam.PolicyStatement({
        sid: 'Readers',
        principals: [...policy.readers!],
        actions: READ_ACTIONS,
        resources: ['*'],
      }),
    );
  }
  if ((policy.writers ?? []).length > 0) {
    add(
      new iam.PolicyStatement({
        sid: 'Writers',
        principals: [...policy.writers!],
        actions: WRITE_ACTIONS,
        resources: ['*'],
      }),
    );
  }
  const rendered = access.toResourcePolicy(secret.secretArn, {
    // With a token in the name, the rules cannot be matched to it here: they are rendered
    // with their patterns as resource ARNs instead.
    ...(Token.isUnresolved(secretName) ? {} : { secretName: secretName }),
    account: stack.account,
    partition: stack.partition,
    denyOutsideAccount: policy.denyOutsideAccount ?? true,
    ...(policy.requireVpcEndpoints === undefined ? {} : { requireVpcEndpoints: policy.requireVpcEndpoints }),
    ...(policy.roleTag === undefined ? {} : { roleTag: policy.roleTag }),
    ...(policy.taggedRoles === undefined ? {} : { taggedRoles: policy.taggedRoles }),
  });
  for (const statement of rendered.document.Statement) add(iam.PolicyStatement.fromJson(statement));
  // IAM cannot say everything a policy says: each gap is a warning, so a synth shows it.
  for (const gap of rendered.unrendered) {
    Annotations.of(scope).addWarningV2(
      `keystage:accessPolicy:${gap.rule}:${gap.field}`,
      `accessPolicy rule ${gap.rule} (${gap.field}) is not enforced by the resource policy as written: ${gap.why}.`,
    );
  }
}
