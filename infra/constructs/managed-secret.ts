import { Aspects, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IConstruct } from 'constructs';
import { KEYSTAGE_TAGS } from '../../lib/core';
import { SAFE_EXCLUDED_CHARACTERS } from '../../lib/generate';
import { NAME_PART, REGION, propsChecker, shown } from './props';
import { SecretsKey } from './secrets-key';
import { viaService } from './via-service';

/** How Secrets Manager generates the value: the template never holds one. */
export type ManagedSecretValue =
  | {
      readonly kind: 'password';
      /**
       * Length of the generated password, 8 to 4096.
       * @default 32
       */
      readonly length?: number;
      /**
       * Characters the password may not hold.
       * @default SAFE_EXCLUDED_CHARACTERS (every symbol but - _ . and the space)
       */
      readonly excludeCharacters?: string;
    }
  | {
      readonly kind: 'json';
      /** The fixed fields; values may be tokens (another secret's ARN, say). */
      readonly template: Readonly<Record<string, string | number | boolean>>;
      /**
       * The field Secrets Manager fills with a generated password: 1-64 of A-Z a-z 0-9 _ -,
       * and not a field of `template`.
       */
      readonly generateKey: string;
      /**
       * Length of the generated password, 8 to 4096.
       * @default 32
       */
      readonly length?: number;
      /**
       * Characters the password may not hold.
       * @default SAFE_EXCLUDED_CHARACTERS
       */
      readonly excludeCharacters?: string;
    };

/** Who may use a secret, rendered into its resource policy. */
export interface SecretAccessPolicy {
  /**
   * Principals that may read the value (GetSecretValue, DescribeSecret). With
   * `denyOutsideAccount` on, they must be of this account.
   * @default none beyond IAM
   */
  readonly readers?: readonly iam.IPrincipal[];
  /**
   * Principals that may write versions (PutSecretValue, UpdateSecretVersionStage).
   * @default none beyond IAM
   */
  readonly writers?: readonly iam.IPrincipal[];
  /**
   * Deny every Secrets Manager action on the secret to principals outside this account
   * (`aws:PrincipalAccount`), whatever their own policies or `readers`/`writers` say.
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
}

/** A region a ManagedSecret is replicated to. */
export interface ManagedSecretReplica {
  /** The region, like `eu-central-1`; not the secret's own. */
  readonly region: string;
  /**
   * The ARN of the customer managed key (or its alias) in that region that encrypts the
   * replica. To choose the AWS managed key, say so:
   * `arn:aws:kms:<region>:<account>:alias/aws/secretsmanager`.
   * @default - the secret's SecretsKey's key in that region (`replicaKeyArn(region)`, for a
   * region of its `replicaRegions`); without one the replica is refused, never silently
   * encrypted with the AWS managed key
   */
  readonly keyArn?: string;
}

export interface ManagedSecretProps {
  /** First part of the name `<environment>/<service>/<name>`: 1-64 of A-Z a-z 0-9 _ + = . @ -. */
  readonly environment: string;
  /** Second part of the name, as `environment`. */
  readonly service: string;
  /** Last part of the name, as `environment`. */
  readonly name: string;
  /** The key the secret is encrypted with. */
  readonly key: SecretsKey | kms.IKey;
  /**
   * The secret's description.
   * @default - none
   */
  readonly description?: string;
  /**
   * How Secrets Manager generates the value.
   * @default { kind: 'password' }
   */
  readonly value?: ManagedSecretValue;
  /**
   * Regions to replicate to, each once, each encrypted with a customer managed key of its
   * region (see `ManagedSecretReplica.keyArn`).
   * @default - no replicas
   */
  readonly replicaRegions?: readonly ManagedSecretReplica[];
  /**
   * Who may use the secret, rendered into its resource policy.
   * @default - no resource policy
   */
  readonly accessPolicy?: SecretAccessPolicy;
  /**
   * The `keystage:type` tag: 1-256 of A-Z a-z 0-9, space and _ . : / = + @ -.
   * @default 'generic'
   */
  readonly secretType?: string;
  /**
   * What happens to the secret when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const READ = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
const WRITE = ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'];
const KMS_ENCRYPT = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'];

/**
 * A secret the keystage way: named `<environment>/<service>/<name>`, tagged, encrypted with
 * a customer managed key, its value generated by Secrets Manager at creation (never a
 * plaintext in the template), optionally replicated and guarded by a resource policy.
 *
 * Creates an `AWS::SecretsManager::Secret` and, with an `accessPolicy` that has any
 * statement, an `AWS::SecretsManager::ResourcePolicy` (with `BlockPublicPolicy`, as any
 * resource policy later added to the secret). Like any CDK Secret with a customer managed
 * key, it adds to that key's policy (when the key is in the same stack) statements letting
 * Secrets Manager use it for this account. It adds no rotation: SecretRotation does.
 *
 * @example
 * const key = new SecretsKey(stack, 'Key', { alias: 'keystage/prod/billing', replicaRegions: ['eu-central-1'] });
 * const apiKey = new ManagedSecret(stack, 'ApiKey', {
 *   environment: 'prod',
 *   service: 'billing',
 *   name: 'api-key',
 *   key,
 *   replicaRegions: [{ region: 'eu-central-1' }], // encrypted with the key's replica there
 * });
 * apiKey.grantRead(appRole);
 */
export class ManagedSecret extends Construct {
  /** The secret. */
  readonly secret: secretsmanager.Secret;
  /** The secret's full ARN. */
  readonly secretArn: string;
  /** `<environment>/<service>/<name>` (the name as given, not a token). */
  readonly secretName: string;
  private readonly key: SecretsKey | kms.IKey;

  constructor(scope: Construct, id: string, props: ManagedSecretProps) {
    super(scope, id);
    const check = propsChecker('ManagedSecret');
    for (const part of ['environment', 'service', 'name'] as const) {
      check.matches(part, props[part], NAME_PART, '1-64 of A-Z a-z 0-9 _ + = . @ -');
    }
    const value = props.value ?? { kind: 'password' };
    check.integer('value.length', value.length, 8, 4096);
    if (value.kind === 'json') {
      check.matches('value.generateKey', value.generateKey, /^[A-Za-z0-9_-]{1,64}$/, 'a field name');
      if (Object.hasOwn(value.template, value.generateKey)) {
        check.fail(
          'value.generateKey',
          `names a field the template already sets; got ${shown(value.generateKey)}.`,
        );
      }
    }
    check.matches('secretType', props.secretType, /^[A-Za-z0-9 _.:/=+@-]{1,256}$/, 'a tag value');
    const stack = Stack.of(this);
    const outside = (principal: iam.IPrincipal): boolean =>
      principal.principalAccount !== undefined &&
      !Token.isUnresolved(principal.principalAccount) &&
      !Token.isUnresolved(stack.account) &&
      principal.principalAccount !== stack.account;
    const policy = props.accessPolicy;
    // A reader or writer of another account would be denied by the policy's own statement.
    if (policy !== undefined && policy.denyOutsideAccount !== false) {
      for (const role of ['readers', 'writers'] as const) {
        for (const principal of policy[role] ?? []) {
          if (outside(principal)) {
            check.fail(
              `accessPolicy.${role}`,
              `holds a principal of account ${shown(principal.principalAccount)}, which denyOutsideAccount denies; got ${shown(principal.toString())}.`,
            );
          }
        }
      }
    }
    for (const endpoint of policy?.requireVpcEndpoints ?? []) {
      check.matches(
        'accessPolicy.requireVpcEndpoints',
        endpoint,
        /^vpce-[0-9a-f]{8,17}$/,
        'VPC endpoint ids',
      );
    }
    const seen = new Set<string>();
    const replicas: Array<{ readonly region: string; readonly keyArn: string }> = [];
    for (const replica of props.replicaRegions ?? []) {
      check.matches('replicaRegions', replica.region, REGION, 'regions like eu-central-1');
      check.matches(
        'replicaRegions.keyArn',
        replica.keyArn,
        /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]{36}|key\/mrk-[0-9a-f]{32}|alias\/.+)$/,
        'a KMS key or alias ARN',
      );
      const keyRegion = replica.keyArn?.split(':')[3];
      if (
        keyRegion !== undefined &&
        !Token.isUnresolved(replica.keyArn) &&
        !Token.isUnresolved(replica.region) &&
        keyRegion !== replica.region
      ) {
        check.fail(
          'replicaRegions.keyArn',
          `must be a key in the replica's region ${shown(replica.region)}; got ${shown(replica.keyArn)}.`,
        );
      }
      if (seen.has(replica.region)) check.fail('replicaRegions', `lists ${shown(replica.region)} twice.`);
      if (!Token.isUnresolved(stack.region) && replica.region === stack.region) {
        check.fail('replicaRegions', `holds the secret's own region ${shown(replica.region)}.`);
      }
      seen.add(replica.region);
    }
    // Every replica is encrypted with a customer managed key of its region: named, or the
    // SecretsKey's there. None is an error, never a silent fallback to aws/secretsmanager.
    for (const replica of props.replicaRegions ?? []) {
      const keyArn = replica.keyArn ?? replicaKeyOf(props.key, replica.region);
      if (keyArn === undefined) {
        check.fail(
          'replicaRegions.keyArn',
          `is needed for ${shown(replica.region)}: give the ARN of a customer managed key there, or use a SecretsKey ` +
            `that lists ${shown(replica.region)} in its replicaRegions; got none.`,
        );
      }
      replicas.push({ region: replica.region, keyArn: keyArn! });
    }

    this.key = props.key;
    const encryptionKey = props.key instanceof SecretsKey ? props.key.key : props.key;
    const excludeCharacters = value.excludeCharacters ?? SAFE_EXCLUDED_CHARACTERS;
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      secretName: `${props.environment}/${props.service}/${props.name}`,
      description: props.description,
      encryptionKey,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      replicaRegions: replicas.map((replica, index) => ({
        region: replica.region,
        encryptionKey: kms.Key.fromKeyArn(this, `ReplicaKey${index}`, replica.keyArn),
      })),
      generateSecretString:
        value.kind === 'json'
          ? {
              secretStringTemplate: stack.toJsonString(value.template),
              generateStringKey: value.generateKey,
              passwordLength: value.length ?? 32,
              excludeCharacters,
            }
          : { passwordLength: value.length ?? 32, excludeCharacters },
    });
    Tags.of(this.secret).add(KEYSTAGE_TAGS.environment, props.environment);
    Tags.of(this.secret).add(KEYSTAGE_TAGS.service, props.service);
    Tags.of(this.secret).add(KEYSTAGE_TAGS.type, props.secretType ?? 'generic');
    if (policy !== undefined) this.applyPolicy(policy);
    // Whoever adds to the secret's resource policy (this construct, a cross-account grant
    // later), Secrets Manager refuses a policy that allows broad access.
    Aspects.of(this.secret).add({
      visit(node: IConstruct): void {
        if (node instanceof secretsmanager.CfnResourcePolicy) node.blockPublicPolicy = true;
      },
    });
    this.secretArn = this.secret.secretArn;
    this.secretName = `${props.environment}/${props.service}/${props.name}`;
  }

  private applyPolicy(policy: SecretAccessPolicy): void {
    const stack = Stack.of(this);
    const add = (statement: iam.PolicyStatement) => this.secret.addToResourcePolicy(statement);
    if ((policy.readers ?? []).length > 0) {
      add(
        new iam.PolicyStatement({
          sid: 'Readers',
          principals: [...policy.readers!],
          actions: READ,
          resources: ['*'],
        }),
      );
    }
    if ((policy.writers ?? []).length > 0) {
      add(
        new iam.PolicyStatement({
          sid: 'Writers',
          principals: [...policy.writers!],
          actions: WRITE,
          resources: ['*'],
        }),
      );
    }
    if (policy.denyOutsideAccount ?? true) {
      add(
        new iam.PolicyStatement({
          sid: 'DenyOutsideAccount',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['secretsmanager:*'],
          resources: ['*'],
          conditions: { StringNotEquals: { 'aws:PrincipalAccount': stack.account } },
        }),
      );
    }
    if ((policy.requireVpcEndpoints ?? []).length > 0) {
      add(
        new iam.PolicyStatement({
          sid: 'ReadThroughVpcEndpointsOnly',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['secretsmanager:GetSecretValue'],
          resources: ['*'],
          conditions: {
            StringNotEquals: { 'aws:SourceVpce': [...policy.requireVpcEndpoints!] },
            BoolIfExists: { 'aws:ViaAWSService': 'false' },
          },
        }),
      );
    }
  }

  /**
   * Read the value: GetSecretValue and DescribeSecret on this secret, and kms:Decrypt on its
   * key through Secrets Manager only (`kms:ViaService`). Adds to the grantee's policy.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: READ,
      resourceArns: [this.secret.secretArn],
    }).combine(this.grantKey(grantee, false));
  }

  /**
   * Write versions: PutSecretValue and UpdateSecretVersionStage on this secret, and
   * kms:Encrypt, kms:Decrypt and kms:GenerateDataKey on its key through Secrets Manager only.
   */
  grantWrite(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: WRITE,
      resourceArns: [this.secret.secretArn],
    }).combine(this.grantKey(grantee, true));
  }

  private grantKey(grantee: iam.IGrantable, write: boolean): iam.Grant {
    if (this.key instanceof SecretsKey) {
      return write
        ? this.key.grantEncryptDecryptViaService(grantee)
        : this.key.grantDecryptViaService(grantee);
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: write ? KMS_ENCRYPT : ['kms:Decrypt'],
      resourceArns: [this.key.keyArn],
      conditions: viaService(this),
    });
  }
}

/** The key that encrypts a replica in `region` when the replica names none. */
function replicaKeyOf(key: SecretsKey | kms.IKey, region: string): string | undefined {
  return key instanceof SecretsKey && key.replicaRegions.includes(region)
    ? key.replicaKeyArn(region)
    : undefined;
}
