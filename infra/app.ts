import { App } from 'aws-cdk-lib';

/**
 * The CDK app `cdk.json` runs. Stacks composed from `infra/constructs` are added to it;
 * synthesis needs no AWS credentials.
 */
export function buildApp(app: App = new App()): App {
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
