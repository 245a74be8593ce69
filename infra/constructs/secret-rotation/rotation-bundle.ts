import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from '../../paths';
import { propsChecker, shown } from '../props';

/** Where `npm run build` writes the bundled rotation functions. */
export function defaultBundleDir(): string {
  return join(repoRoot(), 'dist', 'rotation-lambdas');
}

/**
 * `<bundleDir>/<name>`, the directory of one bundled rotation function, built first when its
 * index.js is missing. The script bundles all functions into a staging directory that is
 * renamed into place, so parallel builds (jest workers, say) never leave a half-written bundle
 * where another process reads it. The bundler's output goes to stderr only, so that
 * `cdk synth > template.yaml` stays a template.
 */
export function rotationBundle(bundleDir: string, name: string): string {
  const root = resolve(bundleDir);
  const dir = join(root, name);
  if (existsSync(join(dir, 'index.js'))) return dir;
  const repository = repoRoot();
  const script = join(repository, 'scripts', 'bundle-rotation-lambdas.mjs');
  if (!existsSync(script)) {
    propsChecker('SecretRotation').fail(
      'bundleDir',
      `has no ${name}/index.js and there is no ${script} to build it with; got ${shown(bundleDir)}.`,
    );
  }
  mkdirSync(root, { recursive: true });
  const staging = mkdtempSync(join(root, '.build-'));
  try {
    execFileSync(process.execPath, [script, '--outdir', staging], {
      cwd: repository,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (const entry of readdirSync(staging)) {
      const target = join(root, entry);
      if (existsSync(join(target, 'index.js'))) continue;
      try {
        renameSync(join(staging, entry), target);
      } catch (error) {
        // Another build won the race: its bundle is complete, so keep it.
        if (!existsSync(join(target, 'index.js'))) throw error;
      }
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}
