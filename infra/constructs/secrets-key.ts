import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { InfraPropsError, REGION, propsChecker, shown } from './props';
import { viaService, viaServiceName, type KeyService } from './via-service';

export type { KeyService };

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
   * A multi-Region primary key (`AWS::KMS::Key` `MultiRegion`), whose replica keys share its key
   * id and material, for data encrypted outside Secrets Manager that must decrypt in other
   * regions. Replicas of secrets do not need it: they are encrypted by the key under this alias
   * in each of `replicaRegions`, whatever kind of key that is.
   * @default false
   */
  readonly multiRegion?: boolean;
  /**
   * Regions in which a customer managed key under the same alias encrypts the replicas of
   * secrets that use this key: a SecretsKey with this alias in a stack of that region (what the
   * example app deploys, in a stack the secrets stack depends on), or a multi-Region replica key
   * given this alias there. `ManagedSecret` then encrypts each replica with
   * `replicaKeyArn(region)`. Like `us-east-1`, each once, not the key's own region.
   * @default - none: each ManagedSecret replica needs its own `keyArn`
   */
  readonly replicaRegions?: readonly string[];
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
 * Replicas of secrets are encrypted in each replica region by the key under the same alias
 * there (`replicaRegions`, `replicaKeyArn(region)`), which a SecretsKey in a stack of that
 * region provides (the example app's `ReplicaKeyStack`).
 *
 * Creates an `AWS::KMS::Key` and an `AWS::KMS::Alias`.
 *
 * @example
 * const key = new SecretsKey(stack, 'Key', { alias: 'keystage/prod/billing', replicaRegions: ['eu-central-1'] });
 * key.grantDecryptViaService(appRole);
 */
export class SecretsKey extends Construct {
  /** The KMS key. */
  readonly key: kms.Key;
  /** The key's ARN. */
  readonly keyArn: string;
  /** The key's alias. */
  readonly alias: kms.Alias;
  /** The alias name, `alias/...` (as given, not a token). */
  readonly aliasName: string;
  /** The regions with a replica key under this alias (`replicaRegions`). */
  readonly replicaRegions: readonly string[];
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
    const replicaRegions = props.replicaRegions ?? [];
    const stackRegion = Stack.of(this).region;
    for (const [index, region] of replicaRegions.entries()) {
      check.matches('replicaRegions', region, REGION, 'regions like eu-central-1');
      if (replicaRegions.indexOf(region) !== index)
        check.fail('replicaRegions', `lists ${shown(region)} twice.`);
      if (!Token.isUnresolved(stackRegion) && region === stackRegion) {
        check.fail('replicaRegions', `holds the key's own region ${shown(region)}.`);
      }
    }
    this.services = services;
    this.replicaRegions = replicaRegions;
    this.aliasName = aliasName;

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
            'kms:ViaService': services.map((service) => viaServiceName(this, service)),
            'kms:CallerAccount': stack.account,
          },
        },
      }),
    );
    this.alias = this.key.addAlias(aliasName);
    this.keyArn = this.key.keyArn;
  }

  /**
   * The key that encrypts replicas in `region`: the ARN of this key's alias there
   * (`arn:<partition>:kms:<region>:<account>:alias/<alias>`), which Secrets Manager resolves
   * when it replicates. Only for a region of `replicaRegions`.
   * @example
   * const key = new SecretsKey(stack, 'Key', { alias: 'keystage/prod/billing', replicaRegions: ['eu-central-1'] });
   * key.replicaKeyArn('eu-central-1'); // arn:aws:kms:eu-central-1:<account>:alias/keystage/prod/billing
   */
  replicaKeyArn(region: string): string {
    if (!this.replicaRegions.includes(region)) {
      throw new InfraPropsError(
        'SecretsKey',
        'replicaRegions',
        `has no replica key in ${shown(region)}; got ${this.replicaRegions.length === 0 ? 'none' : this.replicaRegions.join(', ')}.`,
      );
    }
    return Stack.of(this).formatArn({
      service: 'kms',
      region,
      resource: 'alias',
      resourceName: this.aliasName.slice('alias/'.length),
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
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
      throw new InfraPropsError(
        'SecretsKey',
        'service',
        `must be one the key policy allows use through (${this.services.join(', ')}); got ${shown(service)}.`,
      );
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [this.key.keyArn],
      conditions: viaService(this, service),
    });
  }
}
