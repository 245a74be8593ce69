import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * The ARN to put in an IAM policy for `secret`: its full ARN or, for a secret known only by name
 * or partial ARN, the partial ARN and `-??????`, which matches exactly the six characters Secrets
 * Manager appends (so it still names this secret and no other). The one place infra spells it.
 */
export function secretPolicyArn(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}
