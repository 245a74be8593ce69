import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import * as ts from 'typescript';
import { cleanUp, pack, root, tempDir, type Tarball } from './support';

interface Manifest {
  readonly exports: Record<string, string | { readonly types: string; readonly default: string }>;
  readonly bin: Record<string, string>;
  readonly main: string;
  readonly types: string;
}

let tarball: Tarball;
let unpacked: string;
beforeAll(() => {
  tarball = pack();
  unpacked = tempDir('keystage-unpacked-');
  mkdirSync(unpacked, { recursive: true });
  execFileSync('tar', ['-xzf', tarball.file, '-C', unpacked]);
}, 120_000);
afterAll(() => cleanUp());

const inPackage = (path: string): string => join(unpacked, 'package', path);
const has = (path: string): boolean => tarball.files.includes(normalize(path).replace(/\\/g, '/'));
const manifest = (): Manifest => JSON.parse(readFileSync(inPackage('package.json'), 'utf8')) as Manifest;

/**
 * Each packed declaration file an entry's types reach (a package path), with the packages it
 * imports: every import, export-from and import() type, comments ignored, as tsc follows them.
 */
function reachedDeclarations(entry: string): Map<string, string[]> {
  const types = manifest().exports[entry];
  if (types === undefined || typeof types === 'string') throw new Error(`no types for ${entry}`);
  const reached = new Map<string, string[]>();
  const queue = [normalize(types.types)];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (reached.has(file)) continue;
    const imported = ts
      .preProcessFile(readFileSync(inPackage(file), 'utf8'), true, true)
      .importedFiles.map((info) => info.fileName);
    reached.set(
      file,
      imported.filter((specifier) => !specifier.startsWith('.')),
    );
    for (const specifier of imported.filter((name) => name.startsWith('.'))) {
      const base = normalize(join(dirname(file), specifier));
      queue.push(has(`${base}.d.ts`) ? `${base}.d.ts` : join(base, 'index.d.ts'));
    }
  }
  return reached;
}

/**
 * A packed compiled file's text, its lines joined where they were broken inside a string (the
 * build keeps lines short with a backslash-newline, which a string literal ignores).
 */
const packedText = (file: string): string => readFileSync(inPackage(file), 'utf8').replace(/\\\n/g, '');

/** The packed compiled JavaScript, the rotation functions' bundles aside (esbuild's, for Lambda). */
const packedJs = (): string[] =>
  tarball.files.filter(
    (file) =>
      file.startsWith('dist/') &&
      file.endsWith('.js') &&
      !/^dist\/rotation-lambdas\/[^/]+\/index\.js$/.test(file),
  );

/** The reached declarations that import `name` (or a subpath of it). */
const importing = (reached: Map<string, string[]>, name: string): string[] =>
  [...reached]
    .filter(([, packages]) =>
      packages.some((specifier) => specifier === name || specifier.startsWith(`${name}/`)),
    )
    .map(([file]) => relative('.', file));

describe('the packed tarball', () => {
  it('has the Apache-2.0 LICENSE the manifest names', () => {
    expect(has('LICENSE')).toBe(true);
    expect(readFileSync(inPackage('LICENSE'), 'utf8')).toContain(
      'Apache License\n                           Version 2.0, January 2004',
    );
  });

  it('holds every file its exports, main, types and bin point at', () => {
    const { exports, bin, main, types } = manifest();
    const targets = [
      main,
      types,
      ...Object.values(bin),
      ...Object.values(exports).flatMap((target) =>
        typeof target === 'string' ? [target] : [target.types, target.default],
      ),
    ];
    expect(targets.filter((target) => !has(target))).toEqual([]);
  });

  it('has keystage/rotation, keystage/audit, keystage/crypto, keystage/distribution, keystage/organise, keystage/transfer and keystage/injection entries beside keystage, keystage/local and keystage/infra', () => {
    expect(Object.keys(manifest().exports).sort()).toEqual([
      '.',
      './audit',
      './crypto',
      './distribution',
      './infra',
      './injection',
      './local',
      './organise',
      './package.json',
      './rotation',
      './transfer',
    ]);
  });

  it('ships a built rotation function for every handler the constructs deploy', () => {
    const handlers = tarball.files.filter((file) => /^dist\/rotation-lambdas\/handlers\//.test(file));
    const bundles = tarball.files.filter((file) => /^dist\/rotation-lambdas\/[^/]+\/index\.js$/.test(file));
    expect(handlers).toEqual([]); // the bundles are what deploys
    expect(bundles.map((file) => file.split('/')[2]).sort()).toEqual([
      'certificate',
      'generic',
      'mysql-alternating',
      'mysql-single',
      'postgres-alternating',
      'postgres-single',
    ]);
  });

  it('ships the declaration file of every module a shipped declaration imports', () => {
    const declarations = tarball.files.filter((file) => file.endsWith('.d.ts'));
    expect(declarations.length).toBeGreaterThan(50);
    const missing = declarations.flatMap((file) =>
      [
        ...readFileSync(inPackage(file), 'utf8').matchAll(
          /(?:\bfrom\s+|\bimport\()["'](\.{1,2}\/[^"']+)["']/g,
        ),
      ]
        .map(([, specifier]) => join(file, '..', specifier!))
        .filter((base) => !has(`${base}.d.ts`) && !has(join(base, 'index.d.ts')))
        .map((base) => `${file} -> ${base}`),
    );
    expect(missing).toEqual([]);
  });

  it("names no @aws-sdk/client-kms type in any declaration the root entry's types reach (it is an optional peer)", () => {
    const reached = reachedDeclarations('.');
    // The options, the client and the data key are the declarations that named it once.
    for (const file of [
      'client/options',
      'client/secrets-client',
      'client/pipeline/call',
      'generate/data-key',
    ]) {
      expect(reached.has(`dist/lib/${file}.d.ts`)).toBe(true);
    }
    expect(importing(reached, '@aws-sdk/client-secrets-manager')).toContain('dist/lib/client/options.d.ts');
    expect(importing(reached, '@aws-sdk/client-kms')).toEqual([]);
  });

  it('would see one: keystage/crypto, whose envelope takes a KMSClient, does name it', () => {
    expect(importing(reachedDeclarations('./crypto'), '@aws-sdk/client-kms')).toContain(
      'dist/lib/crypto/envelope.d.ts',
    );
  });

  it('ships no source maps (they would point at sources it does not ship) and no file that names one', () => {
    expect(tarball.files.filter((file) => file.endsWith('.map'))).toEqual([]);
    const naming = tarball.files.filter(
      (file) =>
        file.endsWith('.js') && readFileSync(inPackage(file), 'utf8').includes('//# sourceMappingURL='),
    );
    expect(naming).toEqual([]);
  });

  it('ships no compiled file whose source is gone (a stale build) and no tests, benches or CI', () => {
    const compiled = tarball.files.filter(
      (file) =>
        /^dist\/.*\.(js|d\.ts)$/.test(file) && !/^dist\/rotation-lambdas\/[^/]+\/index\.js$/.test(file),
    );
    expect(compiled.length).toBeGreaterThan(50);
    const orphans = compiled.filter(
      (file) => !existsSync(join(root, file.slice('dist/'.length).replace(/(\.d)?\.ts$|\.js$/, '.ts'))),
    );
    expect(orphans).toEqual([]);
    expect(
      tarball.files.filter((file) => /^(dist\/)?(test|bench|examples|\.ci|scripts)\//.test(file)),
    ).toEqual([]);
  });

  it('has no runtime dependencies: the CLI carries commander, jmespath and js-yaml, with their licences', () => {
    expect(manifest()).not.toHaveProperty('dependencies');
    const cli = readFileSync(inPackage(manifest().bin.keystage!), 'utf8');
    expect(cli.startsWith('#!/usr/bin/env node\n')).toBe(true);
    for (const [name, licence] of [
      ['commander', 'MIT'],
      ['jmespath', 'Apache-2.0'],
      ['js-yaml', 'MIT'],
    ])
      expect(cli).toMatch(new RegExp(`^${name} \\d+\\.\\d+\\.\\d+ \\(${licence}\\):$`, 'm'));
    const requiring = packedJs().filter((file) =>
      /\brequire\("(commander|jmespath|js-yaml)(\/[^"]*)?"\)/.test(packedText(file)),
    );
    expect(requiring).toEqual([]);
  });

  it('ships each compiled module once, joined into few files, every relative require a packed file', () => {
    const files = packedJs();
    // esbuild keeps each joined module under its path: `"dist/lib/x.js"(exports){`.
    const joined = files.flatMap((file) =>
      [...packedText(file).matchAll(/"(dist\/[^"]+\.js)"\(/g)].map(([, path]) => path!),
    );
    expect(joined.length).toBeGreaterThan(2 * files.length);
    expect(joined.filter((path, at) => joined.indexOf(path) !== at)).toEqual([]);
    expect(joined.filter((path) => has(path))).toEqual([]);
    const dangling = files.flatMap((file) =>
      [...packedText(file).matchAll(/\brequire\("(\.{1,2}\/[^"]*)"\)/g)]
        .map(([, specifier]) => normalize(join(dirname(file), specifier!)))
        .filter((base) => !has(base) && !has(`${base}.js`) && !has(join(base, 'index.js')))
        .map((base) => `${file} -> ${base}`),
    );
    expect(dangling).toEqual([]);
  });

  it('stays small: under 1.5 MB packed', () => {
    expect(readFileSync(tarball.file).length).toBeLessThan(1.5 * 1024 * 1024);
  });

  it('is what the repository root describes', () => {
    const packed = manifest() as unknown as Record<string, unknown>;
    const source = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(packed.peerDependencies).toEqual(source.peerDependencies);
    expect(packed.dependencies).toEqual(source.dependencies);
  });
});
