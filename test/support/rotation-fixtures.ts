import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// What the rotation tests run in child processes, built from the sources once per test file
// (never a dist/ that may be stale): the generic rotation function bundled as `npm run build`
// bundles it. The `keystage` command itself is cliBundle() in local-process.ts.

export const root = join(__dirname, '..', '..');

const made: string[] = [];

/** A temporary directory removed by {@link cleanUpBuilds}. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function cleanUpBuilds(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

let generic: string | undefined;

/** The generic rotation function, bundled as `npm run build` bundles it. */
export function genericBundle(): string {
  if (generic !== undefined) return generic;
  const outfile = join(tempDir('keystage-generic-'), 'generic', 'index.js');
  buildSync({
    entryPoints: [join(root, 'rotation-lambdas', 'handlers', 'generic.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // As the build does: the Lambda runtime (here, the endpoint) provides the AWS SDK.
    external: ['@aws-sdk/*'],
    logLevel: 'error',
  });
  return (generic = outfile);
}

/** Writes a CommonJS rotation function `name.js` into `dir` and returns its path. */
export function functionFile(dir: string, name: string, source: string): string {
  const path = join(dir, `${name}.js`);
  writeFileSync(path, `'use strict';\n${source}\n`);
  return path;
}
