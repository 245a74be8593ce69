import { Annotations, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';
import { ManagedSecret } from '../constructs/managed-secret';
import { RotationMonitoring } from '../constructs/rotation-monitoring';
import { RotationStrategy, SecretRotation } from '../constructs/secret-rotation';
import { SecretsKey } from '../constructs/secrets-key';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

export interface SecretsStackProps extends StackProps {
  /** The service whose secrets these are. */
  readonly service: string;
  /** The environment, as the config file describes it. */
  readonly config: EnvironmentConfig;
}

/**
 * The alias of an environment's secrets key, in its own region and (for the keys that encrypt
 * the replicas) in each replica region.
 */
export function secretsKeyAlias(service: string, environment: string): string {
  return `alias/keystage/${environment}/${service}`;
}

/**
 * One environment's secrets: a key, the database credentials (master and app, the app user
 * rotating as alternating users), an API key with generic rotation, replication to the
 * configured regions (each replica encrypted with the key of that region that a
 * `ReplicaKeyStack` deploys first), and the alarms that tell people when a rotation fails or is
 * overdue.
 *
 * @example
 * const secrets = new SecretsStack(app, 'keystage-billing-prod-secrets', {
 *   env: { account: config.account, region: config.region },
 *   service: 'billing',
 *   config,
 * });
 */
export class SecretsStack extends Stack {
  /** The key of every secret here. */
  readonly key: SecretsKey;
  /** The app user's database credentials (alternating users). */
  readonly database: ManagedSecret;
  /** The service's API key (generic rotation). */
  readonly apiKey: ManagedSecret;
  /** The existing VPC the database rotation functions run in. */
  readonly vpc: ec2.IVpc;

  constructor(scope: Construct, id: string, props: SecretsStackProps) {
    super(scope, id, props);
    const { config, service } = props;
    const env = config.name;
    const replicaRegions = config.replicaRegions.map((region) => ({ region }));
    this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: config.vpc.vpcId,
      availabilityZones: [...config.vpc.availabilityZones],
      privateSubnetIds: [...config.vpc.privateSubnetIds],
    });
    for (const subnet of this.vpc.privateSubnets) {
      Annotations.of(subnet).acknowledgeWarning(
        '@aws-cdk/aws-ec2:noSubnetRouteTableId',
        'The functions only run in these subnets; nothing here reads or changes their route tables.',
      );
    }

    this.key = new SecretsKey(this, 'Key', {
      alias: secretsKeyAlias(service, env),
      description: `keystage secrets of ${service} in ${env}`,
      multiRegion: replicaRegions.length > 0,
      replicaRegions: config.replicaRegions,
    });

    const db = config.database;
    const connection = { engine: db.engine, host: db.host, port: db.port, dbname: db.dbname };
    const master = new ManagedSecret(this, 'DatabaseMaster', {
      environment: env,
      service,
      name: 'db-master',
      key: this.key,
      secretType: 'database',
      description: `Master user of the ${service} database; manages the app users`,
      value: {
        kind: 'json',
        template: { ...connection, username: db.masterUsername },
        generateKey: 'password',
      },
      replicaRegions,
    });
    this.database = new ManagedSecret(this, 'Database', {
      environment: env,
      service,
      name: 'db',
      key: this.key,
      secretType: 'database',
      description: `${service} database credentials (alternating users)`,
      value: {
        kind: 'json',
        template: { ...connection, username: db.username, masterarn: master.secretArn },
        generateKey: 'password',
      },
      replicaRegions,
    });
    this.apiKey = new ManagedSecret(this, 'ApiKey', {
      environment: env,
      service,
      name: 'api-key',
      key: this.key,
      secretType: 'api-key',
      description: `${service} API key`,
      replicaRegions,
    });

    const window = Duration.hours(config.rotation.windowHours);
    const securityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: this.vpc,
      description: 'keystage rotation functions: outbound to the database and Secrets Manager',
      allowAllOutbound: true,
    });
    const rotations = [
      new SecretRotation(this, 'MasterRotation', {
        secret: master.secret,
        encryptionKey: this.key.key,
        strategy: RotationStrategy.postgresSingle(),
        schedule: { every: Duration.days(config.rotation.databaseEveryDays), window },
        vpc: this.vpc,
        securityGroups: [securityGroup],
      }),
      new SecretRotation(this, 'DatabaseRotation', {
        secret: this.database.secret,
        encryptionKey: this.key.key,
        strategy: RotationStrategy.postgresAlternating({
          masterSecret: master.secret,
          masterEncryptionKey: this.key.key,
        }),
        schedule: { every: Duration.days(config.rotation.databaseEveryDays), window },
        vpc: this.vpc,
        securityGroups: [securityGroup],
      }),
      new SecretRotation(this, 'ApiKeyRotation', {
        secret: this.apiKey.secret,
        encryptionKey: this.key.key,
        strategy: RotationStrategy.generic({ kind: 'api-key', apiKeyPrefix: apiKeyPrefix(service) }),
        schedule: { every: Duration.days(config.rotation.apiKeyEveryDays), window },
      }),
    ];

    new RotationMonitoring(this, 'Monitoring', {
      secrets: rotations.map((rotation) => ({ secret: rotation.secret, maxAge: rotation.maxInterval })),
      emails: [...config.alarmEmails],
    });
  }
}

/** The service's name as an API key prefix: lowercase letters and digits, starting with a letter. */
function apiKeyPrefix(service: string): string {
  const prefix = service
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/^[0-9]+/, '')
    .slice(0, 16);
  return prefix.length >= 2 ? prefix : 'ks';
}
