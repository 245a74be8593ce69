import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import {
  root,
  STRICT_NODENEXT,
  cleanUp,
  fixture,
  pack,
  project,
  projectDependencies,
  run,
  tsc,
  versionIn,
  type ProjectName,
  type Tarball,
} from './support';

// A service with only the two SDK clients it uses, at the oldest version keystage supports (the
// floor of its peer ranges) and at the newest: passes its own clients in, type-checks under
// --strict --module nodenext, reads through keystage/local.
const SERVICES: readonly ProjectName[] = ['service-oldest', 'service-newest'];
const SM = '@aws-sdk/client-secrets-manager';
const KMS = '@aws-sdk/client-kms';

/** The one ts block of a README section that imports `specifier`. */
function readmeBlock(heading: string, specifier: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${heading}`);
  expect(start).toBeGreaterThan(0);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const found = blocks.filter((text) => text.includes(`from '${specifier}'`));
  expect(found).toHaveLength(1);
  return found[0]!;
}

let tarball: Tarball;
const dirs = new Map<ProjectName, string>();
const compiled = new Map<ProjectName, { status: number | null; output: string }>();
beforeAll(() => {
  tarball = pack();
  for (const name of SERVICES) {
    const dir = project(
      name,
      tarball,
      {
        'tsconfig.json': STRICT_NODENEXT,
        'src/read.ts': fixture('service/src/read.ts'),
        'src/hung.ts': fixture('service/src/hung.ts'),
        'src/local-example.ts': readmeBlock('Local Secrets Manager + KMS endpoint', 'keystage'),
        'src/run-local-example.ts': fixture('service/src/run-local-example.ts'),
        'src/partner-strategy.ts': readmeBlock('Writing your own rotation strategy', 'keystage/rotation'),
        'src/rotate.ts': fixture('service/src/rotate.ts'),
      },
      { type: 'module' },
    );
    dirs.set(name, dir);
    const result = tsc(dir);
    compiled.set(name, { status: result.status, output: result.stdout + result.stderr });
  }
}, 300_000);
afterAll(() => cleanUp());

// A service on Node.js < 22 silences the SDK's support notice the way the README says.
const node = (name: ProjectName, script: string) =>
  run(process.execPath, [script], {
    cwd: dirs.get(name)!,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    timeoutMs: 30_000,
  });

const parsed = (result: { status: number | null; stdout: string; stderr: string }): unknown => {
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  return JSON.parse(result.stdout) as unknown;
};

/** Both reads of dist/hung.js, run once per service. */
const hungRuns = new Map<ProjectName, Record<'own' | 'keystage', { code: string; ms: number }>>();
function hung(name: ProjectName): Record<'own' | 'keystage', { code: string; ms: number }> {
  if (!hungRuns.has(name)) hungRuns.set(name, parsed(node(name, 'dist/hung.js')) as never);
  return hungRuns.get(name)!;
}

describe.each(SERVICES)('a service on its own SDK clients (%s)', (name) => {
  it('has exactly the SDK version it asked for, one copy, used by keystage too', () => {
    const dir = dirs.get(name)!;
    expect(versionIn(dir, SM)).toBe(projectDependencies(name)[SM]);
    expect(versionIn(dir, KMS)).toBe(projectDependencies(name)[KMS]);
    const resolved = run(
      process.execPath,
      ['-e', `process.stdout.write(require.resolve('${SM}', { paths: [require.resolve('keystage')] }))`],
      { cwd: dir },
    );
    expect(resolved.stdout).toBe(join(dir, 'node_modules', SM, 'dist-cjs', 'index.js'));
  });

  it('type-checks under tsc --strict --module nodenext, passing its own clients to SecretsClient', () => {
    expect(compiled.get(name)).toEqual({ status: 0, output: '' });
  });

  it('reads and batch-reads through the local endpoint with clients configured with requestHandler options', () => {
    expect(parsed(node(name, 'dist/read.js'))).toEqual({
      keyLength: expect.any(Number),
      keyPrefix: 'ks_',
      token: true,
      many: 2,
      handler: 'NodeHttpHandler',
    });
  });

  it.each(['own', 'keystage'] as const)(
    'ends a read from a backend that never answers with SERVICE_UNAVAILABLE soon after the request timeout (%s client)',
    (client) => {
      const outcome = hung(name)[client];
      expect(outcome.code).toBe('SERVICE_UNAVAILABLE');
      expect(outcome.ms).toBeGreaterThanOrEqual(450);
      expect(outcome.ms).toBeLessThan(3_000);
    },
  );

  it("runs the README's block that reads through keystage/local with new SecretsClient()", () => {
    expect(parsed(node(name, 'dist/run-local-example.js'))).toEqual({
      prefix: 'ks_',
      length: expect.any(Number),
    });
  });
});

describe.each(SERVICES)("the README's own rotation strategy on keystage/rotation (%s)", (name) => {
  it('rotates a secret through keystage/local: new key current, registered with the partner, never logged', () => {
    expect(parsed(node(name, 'dist/rotate.js'))).toEqual({
      events: ['RotationStarted', 'RotationSucceeded'],
      currentIsNewVersion: true,
      prefix: 'pk_',
      partnerAccepts: true,
      logsHoldValue: false,
    });
  });
});

describe('the keystage command, installed', () => {
  const keystage = (args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, [join(dirs.get('service-newest')!, 'node_modules', '.bin', 'keystage'), ...args], {
      cwd: dirs.get('service-newest')!,
      env,
      timeoutMs: 30_000,
    });

  it('prints its version with --version', () => {
    const result = keystage(['--version']);
    expect({ status: result.status, stdout: result.stdout }).toEqual({
      status: 0,
      stdout: `${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}\n`,
    });
  });

  it.each([['--help'], ['-h']])('prints the help of local on stdout for local %s, exit 0', (flag) => {
    const result = keystage(['local', flag]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: keystage local /);
  });

  it('formats results as YAML and applies --query with the libraries its bundle carries', () => {
    const yaml = keystage(['generate', 'password', '--length', '20', '--output', 'yaml']);
    expect(yaml.status).toBe(0);
    expect(load(yaml.stdout)).toMatchObject({ kind: 'password', length: 20 });
    const queried = keystage([
      'generate',
      'password',
      '--length',
      '20',
      '--output',
      'json',
      '--query',
      'length',
    ]);
    expect({ status: queried.status, stdout: queried.stdout }).toEqual({ status: 0, stdout: '20\n' });
  });

  it("runs the tour without the SDK's Node.js support warning, which a service's own client gets", () => {
    const env = { ...process.env };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    const control = run(
      process.execPath,
      ['-e', `new (require('${SM}').SecretsManagerClient)({ region: 'us-east-1' })`],
      { cwd: dirs.get('service-newest')!, env },
    );
    const tour = keystage(['tour'], env);
    const warned = (text: string) => text.includes('NodeVersionSupportWarning');
    const major = Number(process.versions.node.split('.')[0]);
    expect(warned(control.stderr)).toBe(major < 22);
    expect(tour.status).toBe(0);
    expect(warned(tour.stderr)).toBe(false);
    expect(tour.stdout).toContain('keystage tour');
  });
});
