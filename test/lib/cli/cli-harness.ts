import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { execute } from '../../../lib/cli/main';
import { cliBundle } from '../../support/local-process';

/** What one run of `keystage` printed, and its exit code. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout as bytes, for binary values. */
  readonly bytes: Buffer;
}

/** A stream that keeps what is written to it; `isTTY` as a test says. */
class Sink extends Writable {
  readonly chunks: Buffer[] = [];
  readonly columns = 120;
  constructor(readonly isTTY: boolean | undefined = undefined) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export interface InProcessOptions {
  /** What stdin holds (piped, not a terminal). @default '' */
  readonly stdin?: string | Buffer;
  /** Variables the CLI reads itself (KEYSTAGE_*, NO_COLOR). @default {} */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs `keystage <argv>` in this process through `execute`, stdin piped: as a script runs it.
 * The AWS SDK takes its credentials from the test environment (test/support/aws-env.ts).
 */
export async function runCli(argv: readonly string[], options: InProcessOptions = {}): Promise<CliRun> {
  const stdout = new Sink();
  const stderr = new Sink();
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]);
  const code = await execute(argv, { stdin, stdout, stderr, env: { ...options.env } });
  const bytes = Buffer.concat(stdout.chunks);
  return { code, stdout: bytes.toString('utf8'), stderr: stderr.text(), bytes };
}

/** The environment a spawned `keystage` gets: dummy credentials for the local endpoint, nothing else of ours. */
export const CHILD_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/**
 * Runs the built `keystage` as its own process with stdin piped. Asynchronous, so an endpoint
 * in this test process keeps answering it.
 */
export function spawnCli(
  argv: readonly string[],
  options: { readonly stdin?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBundle(), ...argv], {
      env: { ...CHILD_ENV, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const bytes = Buffer.concat(out);
      resolve({
        code: code ?? (signal === null ? -1 : 128),
        stdout: bytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        bytes,
      });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
