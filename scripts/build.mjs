// Builds the package: tsc (tsconfig.build.json) into dist/, its modules joined into fewer files
// (scripts/bundle-package.mjs), then the rotation bundles (scripts/bundle-rotation-lambdas.mjs).
// `npm ci` runs it (the `prepare` script), and so do `npm run build`, `npm start`, `npm run local`
// and cdk.json's app command when a source changed.
//
//   node scripts/build.mjs              build
//   node scripts/build.mjs --if-stale   build only when an input is newer than the last build
//
// Everything it prints goes to stderr: `npx cdk synth Stack > template.yaml` must get YAML only.
// Also a module: isStale() and build() for scripts/launch.mjs.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

/** Written when a build succeeds; holds the time the build started. */
const STAMP = join(root, 'dist', '.build-stamp');

/** What the build reads: a change to any of these (or a file added or removed) makes dist/ stale. */
const INPUT_DIRS = ['lib', 'infra', 'rotation-lambdas'];
const INPUT_FILES = [
  'scripts/build.mjs',
  'scripts/bundle-package.mjs',
  'scripts/bundle-rotation-lambdas.mjs',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json',
];
/** The trees tsc compiles into dist/. */
const PACKAGED_DIRS = ['lib', 'infra', 'rotation-lambdas'];
/** What the commands run from: a build that lost one of these is rebuilt whatever the stamp says. */
const OUTPUTS = [
  'dist/lib/index.js',
  'dist/lib/cli/main.js',
  'dist/infra/index.js',
  'dist/rotation-lambdas/index.js',
];

function newestInput() {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) return;
    newest = Math.max(newest, stat.mtimeMs);
    // A directory's mtime changes when an entry is added or removed, which catches deletions.
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  for (const dir of INPUT_DIRS) visit(join(root, dir));
  for (const file of INPUT_FILES) visit(join(root, file));
  return newest;
}

/** Why dist/ must be rebuilt, or undefined when it is up to date. */
export function staleReason() {
  if (OUTPUTS.some((file) => !existsSync(join(root, file)))) return 'dist/ is not built yet';
  const started = Number(existsSync(STAMP) ? readFileSync(STAMP, 'utf8') : NaN);
  if (!Number.isFinite(started)) return 'dist/ was not built by scripts/build.mjs';
  if (newestInput() > started) return 'sources changed since the last build';
  // Another compile into dist/ (tsc -p tsconfig.bench.json does one) puts back the per-file
  // modules the build joined, and the CLI's requires of packages keystage does not depend on.
  const finished = statSync(STAMP).mtimeMs;
  return newestOutput() > finished ? 'dist/ was written to after the last build' : undefined;
}

/** The newest mtime of the compiled JavaScript and declarations in dist/. */
function newestOutput() {
  let newest = 0;
  for (const dir of PACKAGED_DIRS) {
    const base = join(root, 'dist', dir);
    if (!existsSync(base)) continue;
    for (const file of readdirSync(base, { recursive: true, encoding: 'utf8' }))
      if (/\.(js|d\.ts)$/.test(file)) newest = Math.max(newest, statSync(join(base, file)).mtimeMs);
  }
  return newest;
}

export const isStale = () => staleReason() !== undefined;

/** A declaration file's relative imports (`from './x'`, `import('./x')`), as files. */
function declarationImports(file) {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\()["'](\.{1,2}\/[^"']+)["']/g)].map(([, specifier]) => {
    const base = join(dirname(file), specifier);
    const found = [`${base}.d.ts`, join(base, 'index.d.ts')].find((candidate) => existsSync(candidate));
    if (found === undefined) throw new Error(`${file} imports ${specifier}, which has no declaration file.`);
    return found;
  });
}

/** The files the package's exports and bin point at: what the rest of the package is reached by. */
function packageEntries() {
  const { exports, bin } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return [
    ...Object.values(exports).flatMap((target) => (typeof target === 'object' ? [target.default] : [])),
    ...Object.values(bin),
  ].map((file) => join(root, file));
}

/**
 * Deletes the declaration files that no entry point's types reach (an operation's internals,
 * say): TypeScript never reads them, and they would be a tenth of what a service installs.
 */
function pruneDeclarations() {
  const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const entries = Object.values(exports).flatMap((target) =>
    typeof target === 'object' ? [target.types] : [],
  );
  const reached = new Set();
  const pending = entries.map((entry) => join(root, entry));
  while (pending.length > 0) {
    const file = pending.pop();
    if (reached.has(file)) continue;
    reached.add(file);
    pending.push(...declarationImports(file));
  }
  for (const dir of PACKAGED_DIRS) {
    for (const file of readdirSync(join(root, 'dist', dir), { recursive: true, encoding: 'utf8' })) {
      const path = join(root, 'dist', dir, file);
      if (path.endsWith('.d.ts') && !reached.has(path)) rmSync(path);
    }
  }
}

/** Runs tsc and the bundler; throws when either fails. Output goes to stderr. */
export async function build() {
  const started = Date.now();
  // tsc never deletes: without this, the output of a removed source would stay and be packed.
  rmSync(STAMP, { force: true });
  for (const dir of PACKAGED_DIRS) rmSync(join(root, 'dist', dir), { recursive: true, force: true });
  // Two passes: the JavaScript without comments (the TSDoc is for editors, which read the
  // declarations; it would add a tenth to what every service installs), then the declarations
  // with them. tsc prints its diagnostics on stdout; they go to stderr with everything else.
  for (const pass of [['--removeComments', '--declaration', 'false'], ['--emitDeclarationOnly']]) {
    const tsc = spawnSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', ...pass],
      { cwd: root, stdio: ['ignore', 2, 2] },
    );
    if (tsc.status !== 0)
      throw new Error(`tsc -p tsconfig.build.json failed (exit ${tsc.status ?? tsc.signal}).`);
  }
  pruneDeclarations();
  const { bundlePackage } = await import('./bundle-package.mjs');
  const joined = await bundlePackage({ entries: packageEntries() });
  process.stderr.write(`compiled modules: ${joined.modules}, joined into ${joined.files} files\n`);
  const { bundleRotationLambdas, formatBundles } = await import('./bundle-rotation-lambdas.mjs');
  process.stderr.write(formatBundles(await bundleRotationLambdas()));
  mkdirSync(dirname(STAMP), { recursive: true });
  writeFileSync(STAMP, String(started));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const reason = staleReason();
  if (process.argv.includes('--if-stale') && reason === undefined) process.exit(0);
  process.stderr.write(`keystage: building dist/ (${reason ?? 'asked to'})\n`);
  try {
    await build();
  } catch (error) {
    process.stderr.write(
      `keystage: build failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}
