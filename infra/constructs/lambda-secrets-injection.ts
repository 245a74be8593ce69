import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { FactName, RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { propsChecker, shown } from './props';
import { secretPolicyArn } from './secret-policy-arn';
import { viaService } from './via-service';

/** A secret whose ARN a Lambda environment variable carries. */
export interface LambdaSecretReference {
  readonly secret: secretsmanager.ISecret;
  /**
   * The key the secret is encrypted with, when the ISecret does not carry it (an imported
   * secret): the function may use it through Secrets Manager only.
   * @default - the secret's own `encryptionKey`, if any; none for the AWS managed key
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Settings of the AWS Parameters and Secrets Lambda Extension. The extension also gets
 * `PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED` (false when the TTL is 0) and logs at `warn`.
 */
export interface ParametersAndSecretsExtensionProps {
  /**
   * How long the extension caches a secret (`SECRETS_MANAGER_TTL`), 0 to 300 seconds; 0
   * turns the cache off.
   * @default Duration.seconds(300)
   */
  readonly cacheTtl?: Duration;
  /**
   * The extension's HTTP port on localhost (`PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`).
   * @default 2773
   */
  readonly port?: number;
  /**
   * The extension layer.
   * @default - the AWS-published layer of version 1.0.103 for the function's region and
   * architecture (CDK's `ParamsAndSecretsVersions.V1_0_103` region facts)
   */
  readonly layerVersion?: lambda.ILayerVersion;
}

export interface LambdaSecretsInjectionProps {
  /** The function that reads the secrets. */
  readonly function: lambda.Function;
  /**
   * Environment variable name -> the secret whose ARN the variable holds. Never a value. At
   * least one.
   */
  readonly secrets: Readonly<Record<string, LambdaSecretReference>>;
  /**
   * Add the AWS Parameters and Secrets Lambda Extension, so the function reads values from
   * a local, caching HTTP endpoint.
   * @default - no extension: the function reads through keystage's SecretsClient
   */
  readonly extension?: ParametersAndSecretsExtensionProps;
}

/** Lambda's own rule (`[a-zA-Z][a-zA-Z0-9_]+`), upper case as environment variables are. */
const ENV_NAME = /^[A-Z][A-Z0-9_]+$/;
/** Set by Lambda itself, or read by the extension. */
const RESERVED =
  /^(AWS_|LAMBDA_TASK_ROOT$|LAMBDA_RUNTIME_DIR$|PARAMETERS_SECRETS_EXTENSION_|SECRETS_MANAGER_|SSM_PARAMETER_STORE_)/;
const EXTENSION_VERSION = lambda.ParamsAndSecretsVersions.V1_0_103;
const MAX_TTL_SECONDS = 300;

/**
 * Wires secrets into a Lambda function the safe way: the environment carries each secret's
 * ARN only, the function's role may read exactly those secrets (and decrypt only through
 * Secrets Manager), and optionally the Parameters and Secrets extension serves them from a
 * local cache.
 *
 * @example
 * new LambdaSecretsInjection(this, 'ApiKey', {
 *   function: fn,
 *   secrets: { API_KEY_SECRET_ARN: { secret: apiKey } },
 *   extension: { cacheTtl: Duration.minutes(2) },
 * });
 * // in the handler: GET http://localhost:2773/secretsmanager/get?secretId=<API_KEY_SECRET_ARN>
 * // with the header X-Aws-Parameters-Secrets-Token: process.env.AWS_SESSION_TOKEN
 */
export class LambdaSecretsInjection extends Construct {
  /** The extension layer added to the function; undefined without `extension`. */
  readonly extensionLayer?: lambda.ILayerVersion;
  private readonly references: ReadonlyArray<LambdaSecretReference>;

  constructor(scope: Construct, id: string, props: LambdaSecretsInjectionProps) {
    super(scope, id);
    const check = propsChecker('LambdaSecretsInjection');
    const fn = props.function;
    const entries = Object.entries(props.secrets);
    if (entries.length === 0) check.fail('secrets', 'must name at least one variable; got {}.');
    const existing = functionEnvironment(fn);
    for (const [name] of entries) {
      const prop = `secrets.${name}`;
      check.matches(
        prop,
        name,
        ENV_NAME,
        'an environment variable name Lambda accepts (A-Z first, then A-Z, 0-9, _; 2 or more)',
      );
      if (RESERVED.test(name)) {
        check.fail(prop, `uses a name reserved by Lambda or the extension; got ${shown(name)}.`);
      }
      if (name in existing) {
        check.fail(prop, `is already an environment variable of ${fn.node.path}; got ${shown(name)}.`);
      }
    }
    const extension = props.extension;
    const stack = Stack.of(this);
    if (extension !== undefined) {
      const ttl = extension.cacheTtl?.toSeconds({ integral: false });
      if (
        ttl !== undefined &&
        !Token.isUnresolved(ttl) &&
        (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS)
      ) {
        check.fail(
          'extension.cacheTtl',
          `must be a whole number of seconds from 0 to ${MAX_TTL_SECONDS} (the extension's limit); got ${shown(extension.cacheTtl)}.`,
        );
      }
      check.integer('extension.port', extension.port, 1, 65_535);
      if ('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT' in existing) {
        check.fail(
          'extension',
          `is given, but ${fn.node.path} already has the extension (its paramsAndSecrets prop); configure one of the two.`,
        );
      }
      if (extension.layerVersion === undefined && !Token.isUnresolved(stack.region)) {
        const arn = RegionInfo.get(stack.region).paramsAndSecretsLambdaLayerArn(
          EXTENSION_VERSION,
          fn.architecture.name,
        );
        if (arn === undefined) {
          check.fail(
            'extension.layerVersion',
            `must be given: no AWS-published layer is known for ${stack.region} and ${fn.architecture.name}; got none.`,
          );
        }
      }
    }

    this.references = entries.map(([, reference]) => reference);
    for (const [name, { secret }] of entries)
      fn.addEnvironment(name, secret.secretFullArn ?? secret.secretArn);
    this.grantRead(fn);

    if (extension !== undefined) {
      this.extensionLayer =
        extension.layerVersion ??
        lambda.LayerVersion.fromLayerVersionArn(
          this,
          'Extension',
          stack.regionalFact(FactName.paramsAndSecretsLambdaLayer(EXTENSION_VERSION, fn.architecture.name)),
        );
      fn.addLayers(this.extensionLayer);
      const ttl = (extension.cacheTtl ?? Duration.seconds(MAX_TTL_SECONDS)).toSeconds();
      // The extension's documented variables; names as in CDK's ParamsAndSecretsLayerVersion.
      const settings: Record<string, string> = {
        PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: String(ttl > 0),
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extension.port ?? 2773),
        PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: 'warn',
        SECRETS_MANAGER_TTL: String(ttl),
      };
      for (const [name, value] of Object.entries(settings)) fn.addEnvironment(name, value);
    }
  }

  /**
   * Lets `grantee` read the injected secrets: secretsmanager:GetSecretValue and
   * DescribeSecret on exactly those secrets, and kms:Decrypt of their keys only through
   * Secrets Manager. Statements go on the grantee's own policy, never on a key policy, so a
   * secrets stack never refers back to a consumer stack. The function is granted already.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    const secretArns = this.references.map(({ secret }) => secretPolicyArn(secret));
    const keyArns = this.references.flatMap(({ secret, encryptionKey }) => {
      const key = encryptionKey ?? secret.encryptionKey;
      return key === undefined ? [] : [key.keyArn];
    });
    let grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resourceArns: [...new Set(secretArns)],
    });
    if (keyArns.length > 0) {
      grant = grant.combine(
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['kms:Decrypt'],
          resourceArns: [...new Set(keyArns)],
          conditions: viaService(this),
        }),
      );
    }
    return grant;
  }
}

/** The function's environment variables so far. */
function functionEnvironment(fn: lambda.Function): Record<string, unknown> {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const environment = Stack.of(fn).resolve(cfn.environment) as
    { variables?: Record<string, unknown> } | undefined;
  return environment?.variables ?? {};
}
