// The package as a user gets it: `npm pack` of the built tree, installed with --offline into
// throwaway projects under the system temp directory (so nothing resolves from this
// repository's node_modules). The npm cache must hold what they install:
// `node scripts/package-test-deps.mjs` fills it, and .ci/run runs that before the tests.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const root = join(__dirname, '..', '..');

export type ProjectName = 'service-oldest' | 'service-newest' | 'reads-only' | 'cdk-oldest' | 'cdk-newest';

let projects: Record<ProjectName, Record<string, string>> | undefined;

/** Each throwaway project's dependencies besides keystage (scripts/package-test-deps.mjs). */
export function projectDependencies(name: ProjectName): Record<string, string> {
  if (projects === undefined) {
    const listed = spawnSync(process.execPath, [join(root, 'scripts', 'package-test-deps.mjs'), '--json'], {
      cwd: root,
      encoding: 'utf8',
    });
    if (listed.status !== 0) throw new Error(`scripts/package-test-deps.mjs --json failed: ${listed.stderr}`);
    projects = JSON.parse(listed.stdout) as Record<ProjectName, Record<string, string>>;
  }
  return projects[name];
}

const made: string[] = [];

/** A directory under the system temp directory, removed by {@link cleanUp}. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function cleanUp(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Runs a command to completion; output as text. Never throws: callers assert on the result. */
export function run(
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number },
): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** What `npm pack` made: the tarball and the paths inside it. */
export interface Tarball {
  readonly file: string;
  readonly files: readonly string[];
}

/**
 * Packs the repository as it is built. Refuses a stale dist/ (a source changed since the last
 * build), which would test something other than the sources: `npm run build` first.
 */
export function pack(): Tarball {
  const stale = run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "process.stdout.write((await import('./scripts/build.mjs')).staleReason() ?? '')",
    ],
    { cwd: root },
  );
  if (stale.status !== 0 || stale.stdout !== '') {
    throw new Error(
      `dist/ cannot be packed (${stale.stdout || stale.stderr.trim()}): run npm run build first.`,
    );
  }
  const into = tempDir('keystage-pack-');
  // --ignore-scripts: `prepare` would build again; dist/ is what is being tested.
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', into], {
    cwd: root,
  });
  if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
  const [result] = JSON.parse(packed.stdout) as [{ filename: string; files: Array<{ path: string }> }];
  return { file: join(into, result.filename), files: result.files.map((file) => file.path) };
}

/**
 * A project that depends on the tarball and on `name`'s dependencies, installed with
 * --offline; `files` (path -> text) are written into it first.
 */
export function project(
  name: ProjectName,
  tarball: Tarball,
  files: Readonly<Record<string, string>> = {},
  manifest: Readonly<Record<string, unknown>> = {},
): string {
  const dir = tempDir(`keystage-${name}-`);
  const dependencies = { keystage: `file:${tarball.file}`, ...projectDependencies(name) };
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', private: true, ...manifest, dependencies }, null, 2),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const installed = run(
    'npm',
    ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: dir, timeoutMs: 120_000 },
  );
  if (installed.status !== 0) {
    throw new Error(
      `npm install --offline in the ${name} project failed; if the cache lacks a package (ENOTCACHED), run node scripts/package-test-deps.mjs:\n${installed.stderr}`,
    );
  }
  return dir;
}

/** The version of `name` installed in `dir`. */
export const versionIn = (dir: string, name: string): string =>
  (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

/** Type-checks (and compiles) `dir` with the repository's TypeScript and the project's tsconfig.json. */
export const tsc = (dir: string): SpawnSyncReturns<string> =>
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir });

/** A fixture file's text (test/package/fixtures/...). */
export const fixture = (path: string): string => readFileSync(join(__dirname, 'fixtures', path), 'utf8');

/** The `tsc --strict --module nodenext` configuration a service would have. */
export const STRICT_NODENEXT = JSON.stringify({
  compilerOptions: {
    strict: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    types: ['node'],
    outDir: 'dist',
    rootDir: 'src',
  },
  include: ['src'],
});
