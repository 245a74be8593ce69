import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, tempDir } from './rotation-fixtures';

/**
 * Runs database rotation steps in a child process, so the process can start with an
 * environment a test chooses: NODE_EXTRA_CA_CERTS, which Node reads only at start, is how
 * the rotation functions learn the CAs they trust (the Lambda runtime's RDS bundle).
 */
export interface ProbeInput {
  readonly engine: 'postgres' | 'mariadb';
  readonly steps: ReadonlyArray<'setSecret' | 'testSecret'>;
  readonly values: { readonly current: string; readonly pending: string; readonly previous?: string };
}

/** What the steps did: done, or the failure's reason, message and the facts of its cause. */
export type ProbeResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly message: string;
      readonly cause?: { readonly errorName?: string; readonly code?: string };
    };

const source = `
import { mysqlSingleStrategy } from ${JSON.stringify(join(root, 'rotation-lambdas', 'strategies', 'mysql-single'))};
import { postgresSingleStrategy } from ${JSON.stringify(join(root, 'rotation-lambdas', 'strategies', 'postgres-single'))};
const input = JSON.parse(process.argv[2] ?? '{}');
const connection = { connectTimeoutMs: 3000, queryTimeoutMs: 3000 };
const strategy = (input.engine === 'postgres' ? postgresSingleStrategy : mysqlSingleStrategy)({ connection });
const quiet = () => undefined;
const context = { secretId: 'probe', token: 'probe', log: { info: quiet, warn: quiet, error: quiet }, secrets: undefined };
async function main() {
  try {
    for (const step of input.steps) await strategy[step]({ previous: undefined, ...input.values }, context as never);
    return { ok: true };
  } catch (error) {
    const { reason, message, cause } = error as { reason?: string; message: string; cause?: { errorName?: string; code?: string } };
    return { ok: false, reason, message, cause: { errorName: cause?.errorName, code: cause?.code } };
  }
}
main().then((result) => process.stdout.write(JSON.stringify(result)));
`;

let bundle: string | undefined;

/** The probe, bundled from the sources once per test file. */
function probeBundle(): string {
  if (bundle !== undefined) return bundle;
  const dir = tempDir('keystage-probe-');
  writeFileSync(join(dir, 'probe.ts'), source);
  buildSync({
    entryPoints: [join(dir, 'probe.ts')],
    outfile: join(dir, 'probe.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Resolved at run time from the project's node_modules (NODE_PATH), as in Lambda.
    external: ['@aws-sdk/*', 'pg-native'],
    logLevel: 'error',
  });
  return (bundle = join(dir, 'probe.js'));
}

/** Runs the steps in a fresh node whose only trusted extra CA is `caFile`. */
export function runProbe(input: ProbeInput, caFile: string): ProbeResult {
  const result = spawnSync(process.execPath, [probeBundle(), JSON.stringify(input)], {
    encoding: 'utf8',
    timeout: 20_000,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_PATH: join(root, 'node_modules'),
      NODE_EXTRA_CA_CERTS: caFile,
    },
  });
  // Node warns on stderr when it cannot read NODE_EXTRA_CA_CERTS: that would test nothing.
  if (result.status !== 0 || result.stderr !== '') {
    throw new Error(`probe failed (${String(result.status)}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as ProbeResult;
}
