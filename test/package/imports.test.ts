import { cleanUp, fixture, pack, project, run, type Tarball } from './support';

// The fewest a service that only reads installs: keystage and @aws-sdk/client-secrets-manager.
// Every entry point that needs nothing more loads from it, as an ES module and from CommonJS,
// with the same named exports.
const ENTRIES = [
  'keystage',
  'keystage/local',
  'keystage/rotation',
  'keystage/audit',
  'keystage/crypto',
  'keystage/distribution',
  'keystage/organise',
  'keystage/transfer',
  'keystage/injection',
] as const;

let tarball: Tarball;
let dir: string;
beforeAll(() => {
  tarball = pack();
  dir = project('reads-only', tarball, {
    'esm.mjs': fixture('imports/esm.mjs'),
    'cjs.cjs': fixture('imports/cjs.cjs'),
    'read.mjs': fixture('imports/read.mjs'),
  });
}, 180_000);
afterAll(() => cleanUp());

const names = (script: string, entries: readonly string[]): Record<string, string[]> => {
  const result = run(process.execPath, [script, ...entries], { cwd: dir });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  return JSON.parse(result.stdout) as Record<string, string[]>;
};

describe('a service with only keystage and the Secrets Manager client installed', () => {
  it('has no KMS client, CDK, database driver or zod to lean on', () => {
    const missing = ['@aws-sdk/client-kms', 'aws-cdk-lib', 'constructs', 'pg', 'mysql2', 'zod'].filter(
      (name) => run(process.execPath, ['-e', `require.resolve('${name}')`], { cwd: dir }).status !== 0,
    );
    expect(missing).toEqual(['@aws-sdk/client-kms', 'aws-cdk-lib', 'constructs', 'pg', 'mysql2', 'zod']);
  });

  it('imports every entry but keystage/infra as an ES module, with named exports (the crypto libraries and zod load on first use)', () => {
    const esm = names('esm.mjs', ENTRIES);
    expect(esm['keystage']).toEqual(
      expect.arrayContaining(['SecretsClient', 'SecretCache', 'generatePassword']),
    );
    expect(esm['keystage/local']).toEqual(expect.arrayContaining(['startLocalEndpoint']));
    expect(esm['keystage/rotation']).toEqual(
      expect.arrayContaining(['createRotationHandler', 'createGenericStrategy', 'RotationFailure']),
    );
    expect(esm['keystage/audit']).toEqual(
      expect.arrayContaining(['usageMetrics', 'accessReport', 'reportCsv']),
    );
    expect(esm['keystage/crypto']).toEqual(
      expect.arrayContaining(['EnvelopeEncryption', 'splitSecret', 'combineShares']),
    );
    expect(esm['keystage/distribution']).toEqual(
      expect.arrayContaining(['Distributor', 'Recipient', 'generateRecipientKey']),
    );
    expect(esm['keystage/organise']).toEqual(
      expect.arrayContaining(['applyTemplate', 'validateService', 'defineGroup', 'rotateGroup', 'impact']),
    );
    expect(esm['keystage/transfer']).toEqual(
      expect.arrayContaining([
        'copyEnvironment',
        'exportSecrets',
        'importSecrets',
        'createBackup',
        'verifyBackup',
        'restoreBackup',
      ]),
    );
    expect(esm['keystage/injection']).toEqual(
      expect.arrayContaining([
        'RotationWatcher',
        'writeSecretFiles',
        'startSecretsAgent',
        'runWithSecrets',
        'inject',
      ]),
    );
  });

  it('requires the same entry points from CommonJS, with the same exports as ES modules see', () => {
    expect(names('cjs.cjs', ENTRIES)).toEqual(names('esm.mjs', ENTRIES));
  });

  it('reads a secret through SecretsClient without the KMS client installed', () => {
    const result = run(process.execPath, ['read.mjs'], {
      cwd: dir,
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    expect({ status: result.status, stderr: result.stderr, stdout: result.stdout }).toEqual({
      status: 0,
      stderr: '',
      stdout: JSON.stringify({ read: true }),
    });
  });
});
