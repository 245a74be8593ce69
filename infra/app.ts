import { join } from 'node:path';
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, type AppConfig } from './config';
import { InfraPropsError } from './constructs/props';
import { repoRoot } from './paths';
import { ConsumersStack } from './stacks/consumers-stack';
import { ReplicaKeyStack } from './stacks/replica-key-stack';
import { SecretsStack, secretsKeyAlias } from './stacks/secrets-stack';

/** The example configuration, used unless the context names another file. */
export const EXAMPLE_CONFIG = join(repoRoot(), 'infra', 'config', 'example.json');

/** The environments `keystage:environments` chooses: all when it is unset. */
function chosenEnvironments(app: App, config: AppConfig, source: string): AppConfig['environments'] {
  const raw = app.node.tryGetContext('keystage:environments') as unknown;
  if (raw === undefined) return config.environments;
  const configured = config.environments.map((env) => env.name);
  const names = String(raw)
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !configured.includes(name));
  if (names.length === 0 || unknown.length > 0) {
    const got =
      names.length === 0 ? 'no environment' : unknown.map((name) => JSON.stringify(name)).join(', ');
    throw new InfraPropsError(
      'keystage app',
      'keystage:environments',
      `must name environments of ${source}, which configures ${configured.join(', ')}; got ${got}.`,
    );
  }
  return config.environments.filter((env) => names.includes(env.name));
}

/**
 * The CDK app `cdk.json` runs: for each configured environment, a secrets stack, a consumers
 * stack and, per replica region, the stack of the key that encrypts the replicas there, with
 * cdk-nag's AwsSolutions checks on everything. Context: `keystage:config` (a JSON file, default
 * infra/config/example.json) and `keystage:environments` (comma-separated names to synthesise,
 * default all; an unknown name is an error that lists the configured ones). Account and region
 * come from the config; synthesis needs no AWS credentials.
 * @example
 * buildApp(new App({ context: { 'keystage:environments': 'staging' } })).synth();
 */
export function buildApp(app: App = new App(), config?: AppConfig): App {
  const path = (app.node.tryGetContext('keystage:config') as string | undefined) ?? EXAMPLE_CONFIG;
  const chosen = config ?? loadConfig(path);
  const source = config === undefined ? path : 'the config';
  for (const env of chosenEnvironments(app, chosen, source)) {
    const where = { account: env.account, region: env.region };
    const prefix = `keystage-${chosen.service}-${env.name}`;
    const secrets = new SecretsStack(app, `${prefix}-secrets`, {
      env: where,
      service: chosen.service,
      config: env,
      description: `keystage: ${chosen.service} secrets, keys, rotation and alarms in ${env.name}`,
    });
    // A replica key must exist before Secrets Manager replicates into its region; the secrets
    // stack names it by alias (no reference across regions), so only the order ties them.
    const replicaKeys = env.replicaRegions.map((region) => {
      const keys = new ReplicaKeyStack(app, `${prefix}-replica-key-${region}`, {
        env: { account: env.account, region },
        alias: secretsKeyAlias(chosen.service, env.name),
        description: `keystage replicas of ${chosen.service} secrets of ${env.name} in ${region}`,
      });
      secrets.addStackDependency(keys, `replicas of the secrets in ${region} are encrypted with its key`);
      return keys;
    });
    const consumers = new ConsumersStack(app, `${prefix}-consumers`, {
      env: where,
      service: chosen.service,
      secrets,
      auditLogGroupName: `/keystage/${env.name}/${chosen.service}/audit`,
      description: `keystage: example ${chosen.service} consumers of the secrets in ${env.name}`,
    });
    for (const stack of [secrets, consumers, ...replicaKeys]) {
      Tags.of(stack).add('keystage:environment', env.name);
      Tags.of(stack).add('keystage:service', chosen.service);
    }
  }
  // cdk-nag v3: synthesis fails on any finding that is not acknowledged with a reason.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

/**
 * What `node dist/infra/app.js` does: builds and synthesises the app. A configuration mistake
 * (a missing config file, a bad field, an unknown environment) is one line on stderr and exit
 * code 1, not a stack trace; anything else is thrown.
 * @example
 * process.exitCode = main();
 */
export function main(
  app: App = new App(),
  writeError: (line: string) => void = (line) => process.stderr.write(line),
): number {
  try {
    buildApp(app).synth();
    return 0;
  } catch (error) {
    if (!(error instanceof InfraPropsError)) throw error;
    writeError(`${error.message}\n`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main();
}
