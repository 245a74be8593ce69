import { mkdtempSync, readFileSync } from 'node:fs';
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

/**
 * The rule of every finding, warnings included, in the validation report that synthesising
 * `app` wrote (a clean synth writes one too).
 */
export function nagFindings(app: App): string[] {
  const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{ violations?: Array<{ ruleName: string }> }>;
  };
  return report.pluginReports.flatMap((plugin) => plugin.violations ?? []).map((v) => v.ruleName);
}

/** Synthesises `app`: no cdk-nag finding of any level, errors or warnings. */
export function expectNoNagFindings(app: App): void {
  expectNagClean(app);
  expect(nagFindings(app)).toEqual([]);
}
