import { join } from 'node:path';
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, type AppConfig } from './config';
import { repoRoot } from './paths';
import { ConsumersStack } from './stacks/consumers-stack';
import { SecretsStack } from './stacks/secrets-stack';

/** The example configuration, used unless the context names another file. */
export const EXAMPLE_CONFIG = join(repoRoot(), 'infra', 'config', 'example.json');

/**
 * The CDK app `cdk.json` runs: for each configured environment, a secrets stack and a
 * consumers stack, with cdk-nag's AwsSolutions checks on everything. Context:
 * `keystage:config` (a JSON file, default infra/config/example.json) and
 * `keystage:environments` (comma-separated names to synthesise, default all).
 * Account and region come from the config; synthesis needs no AWS credentials.
 */
export function buildApp(app: App = new App(), config?: AppConfig): App {
  const path = (app.node.tryGetContext('keystage:config') as string | undefined) ?? EXAMPLE_CONFIG;
  const chosen = config ?? loadConfig(path);
  const only = (app.node.tryGetContext('keystage:environments') as string | undefined)
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const env of chosen.environments) {
    if (only !== undefined && !only.includes(env.name)) continue;
    const where = { account: env.account, region: env.region };
    const prefix = `keystage-${chosen.service}-${env.name}`;
    const secrets = new SecretsStack(app, `${prefix}-secrets`, {
      env: where,
      service: chosen.service,
      config: env,
      description: `keystage: ${chosen.service} secrets, keys, rotation and alarms in ${env.name}`,
    });
    const consumers = new ConsumersStack(app, `${prefix}-consumers`, {
      env: where,
      service: chosen.service,
      secrets,
      description: `keystage: example ${chosen.service} consumers of the secrets in ${env.name}`,
    });
    for (const stack of [secrets, consumers]) {
      Tags.of(stack).add('keystage:environment', env.name);
      Tags.of(stack).add('keystage:service', chosen.service);
    }
  }
  // cdk-nag v3: synthesis fails on any finding that is not acknowledged with a reason.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
