import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { propsChecker, shown } from './props';

/** The services a SecretsKey may be used through (`kms:ViaService`). */
export type KeyService = 'secretsmanager' | 'ssm';

export interface SecretsKeyProps {
  /**
   * The key's alias, with or without the `alias/` prefix: 1-250 of A-Z a-z 0-9 / _ - after
   * the prefix, and not under `aws/`, which AWS reserves.
   */
  readonly alias: string;
  /**
   * The key's description.
   * @default 'keystage secrets key'
   */
  readonly description?: string;
  /**
   * What happens to the key when it leaves the stack. Deleting a key makes every secret
   * encrypted with it unreadable, hence the default.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * A multi-Region primary key, for secrets replicated to other regions.
   * @default false
   */
  readonly multiRegion?: boolean;
  /**
   * The services allowed to use the key on behalf of principals in the account.
   * @default ['secretsmanager']
   */
  readonly viaServices?: readonly KeyService[];
  /**
   * Waiting period before a scheduled deletion, 7 to 30 whole days.
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
}

const ENCRYPT_DECRYPT = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
];

/**
 * A customer managed KMS key for secrets: yearly rotation on, an alias, and a key policy of
 * two statements: the account's own admin (CDK's default, which lets IAM policies in the
 * account decide who uses the key) and one allowing the cryptographic actions to principals
 * of this account through Secrets Manager (and SSM when asked) only, with `kms:ViaService`
 * and `kms:CallerAccount`. Because the admin statement delegates to IAM, what a principal
 * may actually do is what its IAM policy says: grant through `grantDecryptViaService` and
 * `grantEncryptDecryptViaService`, which always carry the `kms:ViaService` condition.
 *
 * Creates an `AWS::KMS::Key` and an `AWS::KMS::Alias`.
 */
export class SecretsKey extends Construct {
  /** The KMS key. */
  readonly key: kms.Key;
  /** The key's ARN. */
  readonly keyArn: string;
  /** The key's alias. */
  readonly alias: kms.Alias;
  private readonly services: readonly KeyService[];

  constructor(scope: Construct, id: string, props: SecretsKeyProps) {
    super(scope, id);
    const check = propsChecker('SecretsKey');
    const aliasName = props.alias.startsWith('alias/') ? props.alias : `alias/${props.alias}`;
    if (!Token.isUnresolved(props.alias)) {
      if (!/^[A-Za-z0-9/_-]{1,250}$/.test(aliasName.slice('alias/'.length)))
        check.fail(
          'alias',
          `must be 1-250 of A-Z a-z 0-9 / _ - after an optional 'alias/'; got ${shown(props.alias)}.`,
        );
      if (aliasName.startsWith('alias/aws/'))
        check.fail('alias', `may not start with aws/, which AWS reserves; got ${shown(props.alias)}.`);
    }
    const services = props.viaServices ?? ['secretsmanager'];
    if (services.length === 0) check.fail('viaServices', 'must name at least one service; got [].');
    for (const service of services) {
      if (service !== 'secretsmanager' && service !== 'ssm')
        check.fail('viaServices', `may hold secretsmanager or ssm; got "${String(service)}".`);
    }
    if (props.pendingWindow !== undefined && !props.pendingWindow.isUnresolved()) {
      const days = props.pendingWindow.toDays({ integral: false });
      if (!Number.isInteger(days) || days < 7 || days > 30)
        check.fail('pendingWindow', `must be 7 to 30 whole days; got ${shown(props.pendingWindow)}.`);
    }
    this.services = services;

    this.key = new kms.Key(this, 'Key', {
      description: props.description ?? 'keystage secrets key',
      enableKeyRotation: true,
      multiRegion: props.multiRegion ?? false,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      pendingWindow: props.pendingWindow ?? Duration.days(30),
    });
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'UseThroughSecretsServicesOnly',
        principals: [new iam.AccountPrincipal(stack.account)],
        actions: ENCRYPT_DECRYPT,
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:ViaService': services.map((service) => `${service}.${stack.region}.amazonaws.com`),
            'kms:CallerAccount': stack.account,
          },
        },
      }),
    );
    this.alias = this.key.addAlias(aliasName);
    this.keyArn = this.key.keyArn;
  }

  /** kms:Decrypt on this key through `service` only (what reading a secret needs). */
  grantDecryptViaService(grantee: iam.IGrantable, service: KeyService = 'secretsmanager'): iam.Grant {
    return this.grantViaService(grantee, service, ['kms:Decrypt']);
  }

  /**
   * Encrypt, decrypt and generate data keys through `service` only (what writing a secret
   * needs). `kms:GenerateDataKey` exactly, not the `*` that would add the pair and
   * without-plaintext variants nobody here uses.
   */
  grantEncryptDecryptViaService(grantee: iam.IGrantable, service: KeyService = 'secretsmanager'): iam.Grant {
    return this.grantViaService(grantee, service, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']);
  }

  private grantViaService(grantee: iam.IGrantable, service: KeyService, actions: string[]): iam.Grant {
    if (!this.services.includes(service)) {
      throw new Error(
        `SecretsKey: the key policy allows use through ${this.services.join(', ')} only, not ${service}.`,
      );
    }
    const stack = Stack.of(this);
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `${service}.${stack.region}.amazonaws.com` } },
    });
  }
}
