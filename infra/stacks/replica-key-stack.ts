import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { SecretsKey } from '../constructs/secrets-key';

export interface ReplicaKeyStackProps extends StackProps {
  /**
   * The alias of the key, the same as the primary key's, so the secrets stack can name it
   * (`SecretsKey.replicaKeyArn(region)`) without a reference across regions.
   */
  readonly alias: string;
  /**
   * The key's description.
   * @default 'keystage replica key'
   */
  readonly description?: string;
}

/**
 * The customer managed key that encrypts the replicas of one environment's secrets in one
 * replica region: a `SecretsKey` (rotation on, usable only through Secrets Manager in the
 * account) under the primary key's alias. It must exist before Secrets Manager replicates
 * into the region, so the secrets stack depends on it; a stack of its own because a KMS key is
 * created in the region of the stack that holds it.
 *
 * @example
 * const keys = new ReplicaKeyStack(app, 'keystage-billing-prod-replica-key-eu-central-1', {
 *   env: { account: '111111111111', region: 'eu-central-1' },
 *   alias: 'alias/keystage/prod/billing',
 * });
 * secrets.addStackDependency(keys, 'replicas are encrypted with this key');
 */
export class ReplicaKeyStack extends Stack {
  /** The key. */
  readonly key: SecretsKey;

  constructor(scope: Construct, id: string, props: ReplicaKeyStackProps) {
    super(scope, id, props);
    this.key = new SecretsKey(this, 'Key', {
      alias: props.alias,
      description: props.description ?? 'keystage replica key',
    });
  }
}
