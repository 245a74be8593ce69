import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  engines: { node: string };
  sideEffects: boolean;
  exports: Record<string, { default: string; types: string }>;
  dependencies?: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  scripts: Record<string, string>;
};

/** Every .ts file under `dir` (relative to the root), recursively. */
const sources = (dir: string): string[] =>
  readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(dir, file));

/** The packages a file imports (`import ... from 'x'`, `export ... from 'x'`), without node: builtins. */
const importedPackages = (file: string): string[] =>
  [...readFileSync(join(root, file), 'utf8').matchAll(/^(?:import|export)\s[^;]*?\sfrom '([^'.][^']*)'/gm)]
    .map((match) => match[1]!)
    .filter((specifier) => !specifier.startsWith('node:'))
    .map((specifier) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/'),
    );

/** The source barrel behind each entry point. */
const ENTRY_BARRELS = [
  'lib/index.ts',
  'lib/local/index.ts',
  'lib/audit/index.ts',
  'rotation-lambdas/index.ts',
  'infra/index.ts',
];

describe('package', () => {
  it('is keystage for Node 20 and later', () => {
    expect(pkg.name).toBe('keystage');
    expect(pkg.engines.node).toBe('>=20');
  });

  it('exports the library, the local endpoint, audit reports, rotation and the CDK side separately, from what the build emits', () => {
    expect(pkg.exports['.']).toEqual({ types: './dist/lib/index.d.ts', default: './dist/lib/index.js' });
    expect(pkg.exports['./local']).toEqual({
      types: './dist/lib/local/index.d.ts',
      default: './dist/lib/local/index.js',
    });
    expect(pkg.exports['./rotation']).toEqual({
      types: './dist/rotation-lambdas/index.d.ts',
      default: './dist/rotation-lambdas/index.js',
    });
    expect(pkg.exports['./infra']).toEqual({
      types: './dist/infra/index.d.ts',
      default: './dist/infra/index.js',
    });
    expect(pkg.exports['./audit']).toEqual({
      types: './dist/lib/audit/index.d.ts',
      default: './dist/lib/audit/index.js',
    });
    expect(pkg.exports['./package.json']).toBe('./package.json');
    for (const barrel of ENTRY_BARRELS) expect(existsSync(join(root, barrel))).toBe(true);
  });

  it('names every export of every entry point: no export *', () => {
    const starred = ENTRY_BARRELS.filter((barrel) =>
      /^export \*/m.test(readFileSync(join(root, barrel), 'utf8')),
    );
    expect(starred).toEqual([]);
  });

  it('declares no side effects on import, so bundlers may drop what a service does not use', () => {
    expect(pkg.sideEffects).toBe(false);
  });

  it('has no runtime dependencies: the operator CLI, the only importer of its libraries, carries them in its bundle', () => {
    // scripts/bundle-package.mjs bundles VENDORED into dist/lib/cli/main.js: a service
    // installing keystage installs none of them, and never loads them.
    const vendored = ['commander', 'jmespath', 'js-yaml'];
    expect(pkg.dependencies).toBeUndefined();
    for (const name of vendored) expect(pkg.devDependencies[name]).toBeDefined();
    const bundler = readFileSync(join(root, 'scripts', 'bundle-package.mjs'), 'utf8');
    expect(bundler).toContain("export const VENDORED = ['commander', 'jmespath', 'js-yaml'];");
    const files = ['lib', 'rotation-lambdas', 'infra'].flatMap(sources);
    const outsideCli = files
      .filter((file) => !file.startsWith(join('lib', 'cli')))
      .filter((file) => importedPackages(file).some((name) => vendored.includes(name)));
    expect(outsideCli).toEqual([]);
    const imported = new Set(files.flatMap(importedPackages));
    imported.delete('keystage');
    for (const name of vendored) imported.delete(name);
    // infra/app.ts is the repository's own CDK app (cdk.json), not part of the package.
    imported.delete('cdk-nag');
    expect([...imported].filter((name) => !(name in pkg.peerDependencies)).sort()).toEqual([]);
    expect(Object.keys(pkg.peerDependencies).filter((name) => !imported.has(name))).toEqual([]);
  });

  it('requires only the Secrets Manager client; KMS, CloudWatch Logs, SSM, ECS, Lambda, SQS, the crypto libraries, zod, the CDK and the drivers are optional peers', () => {
    const optional = Object.keys(pkg.peerDependencies).filter(
      (name) => pkg.peerDependenciesMeta[name]?.optional === true,
    );
    expect(Object.keys(pkg.peerDependencies).filter((name) => !optional.includes(name))).toEqual([
      '@aws-sdk/client-secrets-manager',
    ]);
    expect(optional.sort()).toEqual([
      '@aws-crypto/client-node',
      '@aws-sdk/client-cloudwatch-logs',
      '@aws-sdk/client-ecs',
      '@aws-sdk/client-kms',
      '@aws-sdk/client-lambda',
      '@aws-sdk/client-sqs',
      '@aws-sdk/client-ssm',
      '@hpke/core',
      '@peculiar/x509',
      'aws-cdk-lib',
      'constructs',
      'mysql2',
      'pg',
      'shamir-secret-sharing',
      'zod',
    ]);
  });

  it('supports the SDK clients from 3.521.0 (BatchGetSecretValue, the requestHandler options object) to the newest 3.x', () => {
    expect(pkg.peerDependencies['@aws-sdk/client-secrets-manager']).toBe('^3.521.0');
    expect(pkg.peerDependencies['@aws-sdk/client-kms']).toBe('^3.521.0');
    expect(pkg.peerDependencies['@aws-sdk/client-cloudwatch-logs']).toBe('^3.521.0');
  });

  it('supports aws-cdk-lib from 2.252.0, the first with Validations acknowledgements, to the newest 2.x', () => {
    expect(pkg.peerDependencies['aws-cdk-lib']).toBe('^2.252.0');
  });

  it('builds and tests against every peer: each is a devDependency too', () => {
    expect(Object.keys(pkg.peerDependencies).filter((name) => !(name in pkg.devDependencies))).toEqual([]);
  });

  it('builds on npm ci (prepare), and starts from the build', () => {
    expect(pkg.scripts.prepare).toBe('node scripts/build.mjs');
    expect(pkg.scripts.start).toBe('node scripts/launch.mjs tour');
    expect(pkg.scripts.local).toBe('node scripts/launch.mjs local');
  });

  it('has the repository shape the tools expect', () => {
    for (const entry of [
      'lib',
      'infra',
      'rotation-lambdas',
      'test',
      'cdk.json',
      'tsconfig.json',
      'README.md',
      'LICENSE',
      '.ci/run',
    ]) {
      expect(existsSync(join(root, entry))).toBe(true);
    }
  });

  it('never imports CDK from the library', () => {
    const files = readdirSync(join(root, 'lib'), { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    expect(files.length).toBeGreaterThan(5);
    const importers = files.filter((f) =>
      /from '(aws-cdk-lib|constructs)[/']/.test(readFileSync(join(root, 'lib', f), 'utf8')),
    );
    expect(importers).toEqual([]);
  });

  it('keeps the local endpoint an independent model: no import from the client, the cache or the rotation functions', () => {
    const dir = join(root, 'lib', 'local');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    const offenders = files.filter((f) =>
      /from '(\.\.\/)+(client|cache|rotation-lambdas)[/']/.test(readFileSync(join(dir, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
