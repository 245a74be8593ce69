import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * An App with cdk-nag's AwsSolutions checks (v3: a validation plugin) writing to a temp
 * directory. `expectNagClean(app)` synthesises it: v3 makes synth throw `ValidationFailed`
 * with every unacknowledged finding, so the error message is the list of findings.
 */
export function nagApp(): App {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'keystage-cdk-')) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

export function expectNagClean(app: App): void {
  let findings = '';
  try {
    app.synth();
  } catch (error) {
    findings = String(error);
  }
  expect(findings).toBe('');
}
