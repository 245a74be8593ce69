import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  STRICT_NODENEXT,
  cleanUp,
  fixture,
  pack,
  project,
  projectDependencies,
  root,
  run,
  tsc,
  versionIn,
  type ProjectName,
  type Tarball,
} from './support';

// A platform team's CDK app: keystage, aws-cdk-lib and constructs (and the Secrets Manager
// client, a required peer), on the oldest aws-cdk-lib keystage/infra supports (the floor of its
// peer range) and on the newest, synthesising stacks from keystage/infra with the rotation
// functions the tarball ships.
const APPS: readonly ProjectName[] = ['cdk-oldest', 'cdk-newest'];

interface App {
  readonly dir: string;
  readonly compiled: { readonly status: number | null; readonly output: string };
  readonly synth: { readonly status: number | null; readonly stdout: string; readonly stderr: string };
}

let tarball: Tarball;
const apps = new Map<ProjectName, App>();
beforeAll(() => {
  tarball = pack();
  for (const name of APPS) {
    const dir = project(name, tarball, {
      'tsconfig.json': STRICT_NODENEXT,
      'src/app.ts': fixture('cdk-app/src/app.ts'),
      'config.json': readFileSync(join(root, 'infra', 'config', 'example.json'), 'utf8'),
      'esm.mjs': fixture('imports/esm.mjs'),
      'cjs.cjs': fixture('imports/cjs.cjs'),
    });
    const result = tsc(dir);
    apps.set(name, {
      dir,
      compiled: { status: result.status, output: result.stdout + result.stderr },
      synth: run(process.execPath, ['dist/app.js'], { cwd: dir, timeoutMs: 120_000 }),
    });
  }
}, 400_000);
afterAll(() => cleanUp());

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describe.each(APPS)('a CDK app on keystage/infra (%s)', (name) => {
  const app = (): App => apps.get(name)!;

  it('has the aws-cdk-lib it asked for', () => {
    expect(versionIn(app().dir, 'aws-cdk-lib')).toBe(projectDependencies(name)['aws-cdk-lib']);
  });

  it('type-checks under tsc --strict --module nodenext', () => {
    expect(app().compiled).toEqual({ status: 0, output: '' });
  });

  it('imports keystage/infra as an ES module and from CommonJS, with the same named exports', () => {
    const exportsOf = (script: string) => {
      const result = run(process.execPath, [script, 'keystage/infra'], { cwd: app().dir });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      return (JSON.parse(result.stdout) as Record<string, string[]>)['keystage/infra'];
    };
    const esm = exportsOf('esm.mjs');
    expect(esm).toEqual(expect.arrayContaining(['SecretsStack', 'SecretsKey', 'ManagedSecret']));
    expect(exportsOf('cjs.cjs')).toEqual(esm);
  });

  it('synthesises a secrets stack per configured environment', () => {
    const { synth } = app();
    expect({ status: synth.status, stderr: synth.stderr }).toEqual({ status: 0, stderr: '' });
    const stacks = JSON.parse(synth.stdout) as Array<{ stack: string; types: string[] }>;
    expect(stacks.map((stack) => stack.stack)).toEqual([
      'billing-staging-secrets',
      'billing-production-secrets',
    ]);
    for (const { types } of stacks) {
      expect(types).toEqual(
        expect.arrayContaining([
          'AWS::KMS::Key',
          'AWS::SecretsManager::Secret',
          'AWS::SecretsManager::RotationSchedule',
          'AWS::Lambda::Function',
        ]),
      );
    }
  });

  it('deploys the rotation functions the tarball ships, byte for byte', () => {
    const { dir, synth } = app();
    expect(synth.status).toBe(0);
    const shipped = join(dir, 'node_modules', 'keystage', 'dist', 'rotation-lambdas');
    const assets = join(dir, 'cdk.out');
    const deployed = new Set(
      readdirSync(assets)
        .filter((entry) => entry.startsWith('asset.') && existsSync(join(assets, entry, 'index.js')))
        .map((entry) => sha256(join(assets, entry, 'index.js'))),
    );
    const used = readdirSync(shipped).filter(
      (bundle) =>
        existsSync(join(shipped, bundle, 'index.js')) &&
        deployed.has(sha256(join(shipped, bundle, 'index.js'))),
    );
    expect(used).toEqual(expect.arrayContaining(['generic', 'postgres-alternating']));
  });
});
