/**
 * The dependency rules of DESIGN.md §2, checked on the source: every import, export-from,
 * require() and import() in lib/, rotation-lambdas/ and infra/.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '..');

interface Edge {
  /** The importing file, relative to the repository root. */
  readonly from: string;
  /** A repository file (relative path) or an npm package name. */
  readonly to: string;
  readonly specifier: string;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir))) {
    const path = join(dir, entry);
    if (statSync(join(ROOT, path)).isDirectory()) files.push(...sourceFiles(path));
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** The repository file a relative specifier names, as TypeScript resolves it. */
function resolveRelative(from: string, specifier: string): string {
  const base = resolve(ROOT, dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return relative(ROOT, candidate);
  }
  return relative(ROOT, base);
}

/** `@scope/name/sub` -> `@scope/name`; `name/sub` -> `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function edgesOf(file: string): Edge[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles.map(({ fileName: specifier }) => ({
    from: file,
    specifier,
    to: specifier.startsWith('.') ? resolveRelative(file, specifier) : packageName(specifier),
  }));
}

const edges: Edge[] = ['lib', 'rotation-lambdas', 'infra'].flatMap(sourceFiles).flatMap(edgesOf);

const inside = (path: string, ...dirs: string[]): boolean => dirs.some((dir) => path.startsWith(`${dir}/`));
const isRepoFile = (edge: Edge): boolean => edge.to.includes('/') && existsSync(join(ROOT, edge.to));
const show = (edge: Edge): string => `${edge.from} -> ${edge.specifier}`;

/** The edges leaving `from` that break a rule. */
function violations(from: (file: string) => boolean, broken: (edge: Edge) => boolean): string[] {
  return edges.filter((edge) => from(edge.from) && broken(edge)).map(show);
}

/** A folder's barrel (`lib/x/index.ts`), the root barrel, or `lib/errors.ts`. */
function isLibBarrel(path: string): boolean {
  return path === 'lib/index.ts' || path === 'lib/errors.ts' || /^lib\/[a-z-]+\/index\.ts$/.test(path);
}

describe('dependency rules (DESIGN.md §2)', () => {
  it('sees the imports it checks', () => {
    // A scanner that found nothing would pass every rule below.
    expect(
      edges.some((edge) => edge.from === 'lib/client/secrets-client.ts' && edge.to === 'lib/cache/index.ts'),
    ).toBe(true);
    expect(edges.some((edge) => edge.to === '@aws-sdk/client-secrets-manager')).toBe(true);
  });

  it('lib/core is the ground: it imports only itself and lib/errors', () => {
    expect(
      violations(
        (file) => inside(file, 'lib/core'),
        (edge) => isRepoFile(edge) && !inside(edge.to, 'lib/core') && edge.to !== 'lib/errors.ts',
      ),
    ).toEqual([]);
  });

  it('lib/local is an independent model: no client, cache, CLI, rotation functions or CDK code', () => {
    expect(
      violations(
        (file) => inside(file, 'lib/local'),
        (edge) =>
          isRepoFile(edge) &&
          !inside(edge.to, 'lib/local', 'lib/core', 'lib/generate') &&
          edge.to !== 'lib/errors.ts',
      ),
    ).toEqual([]);
  });

  it('lib/generate imports nothing from lib/client or lib/cache', () => {
    expect(
      violations(
        (file) => inside(file, 'lib/generate'),
        (edge) => inside(edge.to, 'lib/client', 'lib/cache'),
      ),
    ).toEqual([]);
  });

  it('the leaves (audit, observability, generate) and the cache never reach back into lib/client', () => {
    expect(
      violations(
        (file) => inside(file, 'lib/audit', 'lib/observability', 'lib/generate', 'lib/cache'),
        (edge) => inside(edge.to, 'lib/client'),
      ),
    ).toEqual([]);
  });

  it('rotation-lambdas and infra import lib only through its barrels', () => {
    expect(
      violations(
        (file) => inside(file, 'rotation-lambdas', 'infra'),
        (edge) => inside(edge.to, 'lib') && !isLibBarrel(edge.to),
      ),
    ).toEqual([]);
  });

  it('lib never imports CDK, the rotation functions or infra', () => {
    expect(
      violations(
        (file) => inside(file, 'lib'),
        (edge) =>
          ['aws-cdk-lib', 'constructs'].includes(edge.to) || inside(edge.to, 'rotation-lambdas', 'infra'),
      ),
    ).toEqual([]);
  });

  it('rotation-lambdas never import CDK or infra, so no Lambda bundle contains CDK', () => {
    expect(
      violations(
        (file) => inside(file, 'rotation-lambdas'),
        (edge) => ['aws-cdk-lib', 'constructs'].includes(edge.to) || inside(edge.to, 'infra'),
      ),
    ).toEqual([]);
  });

  it('infra takes from rotation-lambdas only the environment contract (the bundles are built, not imported)', () => {
    expect(
      violations(
        (file) => inside(file, 'infra'),
        (edge) => inside(edge.to, 'rotation-lambdas') && edge.to !== 'rotation-lambdas/environment.ts',
      ),
    ).toEqual([]);
  });
});
