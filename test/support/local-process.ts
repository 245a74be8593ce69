import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = join(__dirname, '..', '..');
let built: string | undefined;

/**
 * The `keystage` command as one CommonJS file, built from the sources once per test process
 * (so a test runs the code under review, with no `npm run build` needed). It lives under
 * node_modules/.cache so that its external AWS SDK imports resolve.
 */
export function cliBundle(): string {
  if (built !== undefined) return built;
  const dir = join(ROOT, 'node_modules', '.cache', 'keystage-tests');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `cli-${process.pid}.js`);
  buildSync({
    entryPoints: [join(ROOT, 'lib', 'cli', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['@aws-sdk/*', '@smithy/*'],
    logLevel: 'error',
  });
  built = outfile;
  return outfile;
}

export interface LocalProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code (or the signal that ended it). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface RunningLocal extends LocalProcess {
  readonly url: string;
}

/** Spawns `keystage <args>` as its own process (environment without AWS credentials). */
export function spawnKeystage(args: readonly string[], env: NodeJS.ProcessEnv = {}): LocalProcess {
  const child = spawn(process.execPath, [cliBundle(), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, pid: child.pid!, output: () => text, exited };
}

/** Starts `keystage local --port 0 --data-dir <dir>` and waits until it listens. */
export async function startLocalProcess(
  dataDir: string,
  extra: readonly string[] = [],
): Promise<RunningLocal> {
  const running = spawnKeystage(['local', '--port', '0', '--data-dir', dataDir, ...extra]);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`keystage local did not start:\n${running.output()}`)),
      20_000,
    );
    const look = () => {
      const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(running.output());
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    running.child.stdout!.on('data', look);
    void running.exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`keystage local exited before listening:\n${running.output()}`));
    });
  });
  return { ...running, url };
}
