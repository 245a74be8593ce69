import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { cleanUp, root, tempDir } from './support';

// `npx cdk synth STACK > template.yaml` must write a template and nothing else: cdk.json's app
// command builds first when a source changed, and every line the build and the bundler print
// goes to stderr.

afterAll(() => cleanUp());

describe('cdk synth', () => {
  it("runs cdk.json's app through the build, which prints only on stderr", () => {
    const { app } = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { app: string };
    expect(app).toBe('node scripts/build.mjs --if-stale && node dist/infra/app.js');
  });

  it('prints the bundle sizes on stderr and nothing on stdout', () => {
    const outdir = tempDir('keystage-bundles-');
    const result = spawnSync(
      process.execPath,
      [join(root, 'scripts', 'bundle-rotation-lambdas.mjs'), '--outdir', outdir],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 0, stdout: '' });
    expect(result.stderr).toMatch(/^rotation function +bytes +KB/);
  });

  it('writes a stack as YAML, and only YAML, to stdout', () => {
    const result = spawnSync(
      'npx',
      ['cdk', 'synth', 'keystage-billing-staging-secrets', '--output', tempDir('keystage-cdk-out-')],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
        timeout: 180_000,
      },
    );
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(/^[A-Z][A-Za-z]*:/); // a template key, not a build line
    const template = load(result.stdout) as { Resources?: Record<string, { Type: string }> };
    expect(Object.values(template.Resources ?? {}).map((resource) => resource.Type)).toContain(
      'AWS::SecretsManager::Secret',
    );
  }, 200_000);
});
