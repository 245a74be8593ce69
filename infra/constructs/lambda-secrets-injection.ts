import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { propsChecker, shown } from './props';

export interface LambdaSecretReference {
  readonly secret: secretsmanager.ISecret;
  /** @default the secret's own encryptionKey */
  readonly encryptionKey?: kms.IKey;
}

export interface ParametersAndSecretsExtensionProps {
  /**
   * How long the extension caches a value.
   * @default Duration.minutes(5)
   */
  readonly cacheTtl?: Duration;
  /**
   * The extension's local HTTP port.
   * @default 2773
   */
  readonly port?: number;
  /** @default ParamsAndSecretsVersions.V1_0_103 */
  readonly version?: lambda.ParamsAndSecretsVersions;
}

export interface LambdaSecretsInjectionProps {
  readonly function: lambda.Function;
  /** Environment variable name -> the secret whose ARN it holds. Never a value. */
  readonly secrets: Readonly<Record<string, LambdaSecretReference>>;
  /**
   * Add the AWS Parameters and Secrets Lambda Extension, so the function reads values from
   * a local, caching HTTP endpoint.
   * @default no extension: the function reads with keystage's SecretsClient
   */
  readonly extension?: ParametersAndSecretsExtensionProps;
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Wires secrets into a Lambda function the safe way: the environment carries each secret's
 * ARN only, the function's role may read exactly those secrets (and decrypt through
 * Secrets Manager only), and optionally the Parameters and Secrets extension serves them
 * from a local cache.
 */
export class LambdaSecretsInjection extends Construct {
  constructor(scope: Construct, id: string, props: LambdaSecretsInjectionProps) {
    super(scope, id);
    const check = propsChecker('LambdaSecretsInjection');
    const entries = Object.entries(props.secrets);
    if (entries.length === 0) check.fail('secrets', 'must name at least one variable; got {}.');
    for (const [name] of entries) {
      check.matches(`secrets.${name}`, name, ENV_NAME, 'an environment variable name (A-Z, 0-9, _)');
      if (
        name.startsWith('AWS_') ||
        name.startsWith('PARAMETERS_SECRETS_') ||
        name.startsWith('SECRETS_MANAGER_')
      ) {
        check.fail(`secrets.${name}`, `uses a name reserved by Lambda or the extension; got ${shown(name)}.`);
      }
    }
    const ttl = props.extension?.cacheTtl?.toSeconds();
    if (ttl !== undefined && (ttl < 0 || ttl > 300)) {
      check.fail(
        'extension.cacheTtl',
        `must be 0 to 300 seconds (the extension's limit); got ${ttl} seconds.`,
      );
    }
    check.integer('extension.port', props.extension?.port, 1, 65_535);

    const fn = props.function;
    const region = Stack.of(this).region;
    for (const [name, { secret, encryptionKey }] of entries) {
      fn.addEnvironment(name, secret.secretArn);
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: [secret.secretArn],
        }),
      );
      const key = encryptionKey ?? secret.encryptionKey;
      if (key !== undefined) {
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['kms:Decrypt'],
            resources: [key.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
          }),
        );
      }
    }

    if (props.extension !== undefined) {
      const layer = lambda.ParamsAndSecretsLayerVersion.fromVersion(
        props.extension.version ?? lambda.ParamsAndSecretsVersions.V1_0_103,
        {
          cacheEnabled: true,
          secretsManagerTtl: props.extension.cacheTtl ?? Duration.minutes(5),
          httpPort: props.extension.port ?? 2773,
          logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
        },
      );
      // What Function does for its own paramsAndSecrets prop: the regional layer ARN and the
      // extension's documented environment variables.
      const bound = layer._bind(this, fn);
      fn.addLayers(lambda.LayerVersion.fromLayerVersionArn(this, 'Extension', bound.arn));
      for (const [name, value] of Object.entries(bound.environmentVars))
        fn.addEnvironment(name, String(value));
    }
  }
}
