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
  type Tarball,
} from './support';

// A TypeScript service that only reads installs keystage and @aws-sdk/client-secrets-manager
// (and @types/node, as any TypeScript service on Node.js has): the KMS client is an optional
// peer. The root entry's declarations must type-check without it, libraries included
// (skipLibCheck: false), or every such service fails with TS2307 on '@aws-sdk/client-kms'.
const KMS = '@aws-sdk/client-kms';

/** STRICT_NODENEXT over `include`, checking the libraries' declarations too. */
const config = (include: string, options: Record<string, unknown> = {}) => {
  const strict = JSON.parse(STRICT_NODENEXT) as { compilerOptions: Record<string, unknown> };
  return JSON.stringify({
    compilerOptions: { ...strict.compilerOptions, skipLibCheck: false, rootDir: include, ...options },
    include: [include],
  });
};

let tarball: Tarball;
let dir: string;
let compiled: { status: number | null; output: string };
const tsc = (tsconfig: string) =>
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], {
    cwd: dir,
  });
beforeAll(() => {
  tarball = pack();
  dir = project(
    'reads-only',
    tarball,
    {
      'tsconfig.json': config('src'),
      'tsconfig.control.json': config('control', { noEmit: true }),
      'src/read.ts': fixture('reads-only/src/read.ts'),
      'control/crypto.ts': fixture('reads-only/control/crypto.ts'),
    },
    {
      type: 'module',
      devDependencies: { '@types/node': projectDependencies('service-newest')['@types/node'] },
    },
  );
  const result = tsc('tsconfig.json');
  compiled = { status: result.status, output: result.stdout + result.stderr };
}, 180_000);
afterAll(() => cleanUp());

describe('a TypeScript service with only keystage and the Secrets Manager client installed', () => {
  it('has no KMS client to resolve', () => {
    expect(run(process.execPath, ['-e', `require.resolve('${KMS}')`], { cwd: dir }).status).not.toBe(0);
  });

  it("type-checks against keystage's declarations under tsc --strict --module nodenext, skipLibCheck false", () => {
    expect(compiled.output).not.toContain('TS2307');
    expect(compiled).toEqual({ status: 0, output: '' });
  });

  it('would see one: keystage/crypto, whose envelope takes a KMSClient, fails with TS2307 there', () => {
    const control = tsc('tsconfig.control.json');
    expect(control.status).not.toBe(0);
    expect(control.stdout).toMatch(/error TS2307: Cannot find module '@aws-sdk\/client-kms'/);
  });

  it('reads a secret and gets typed errors through what it compiled, without creating a KMS client', () => {
    expect(compiled.status).toBe(0);
    const result = run(process.execPath, ['dist/read.js'], {
      cwd: dir,
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      timeoutMs: 30_000,
    });
    expect({ status: result.status, stderr: result.stderr, stdout: result.stdout }).toEqual({
      status: 0,
      stderr: '',
      stdout: `${JSON.stringify({ read: true, missing: 'SECRET_NOT_FOUND', invalid: 'VALIDATION_ERROR' })}\n`,
    });
  });
});
