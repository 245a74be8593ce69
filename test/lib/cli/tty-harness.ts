import { PassThrough, Writable } from 'node:stream';
import { execute } from '../../../lib/cli/main';
import type { CliRun } from './cli-harness';

/** A prompt to wait for on stderr, and the keys typed when it shows. */
export type Answer = readonly [prompt: string | RegExp, keys: string];

/** stderr of a terminal: keeps what is written, and types an answer when its prompt shows. */
class TerminalErr extends Writable {
  readonly isTTY = true;
  readonly columns = 120;
  readonly chunks: Buffer[] = [];
  #seen = 0;
  constructor(
    private readonly stdin: PassThrough,
    private readonly answers: Answer[],
  ) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    const text = Buffer.concat(this.chunks).toString('utf8').slice(this.#seen);
    const next = this.answers[0];
    if (next !== undefined) {
      const [prompt, keys] = next;
      const at = typeof prompt === 'string' ? text.indexOf(prompt) : text.search(prompt);
      if (at >= 0) {
        this.answers.shift();
        this.#seen += at + 1;
        // After the prompt's own write has returned, as a person types after seeing it.
        setImmediate(() => this.stdin.write(keys));
      }
    }
    done();
  }
}

class Out extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    done();
  }
}

/**
 * Runs `keystage <argv>` in this process as on a terminal: stdin and stderr are TTYs (prompts,
 * progress), stdout is piped. Each answer is typed when its prompt appears on stderr.
 */
export async function runOnTerminal(
  argv: readonly string[],
  answers: readonly Answer[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<CliRun> {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
  const stderr = new TerminalErr(stdin, [...answers]);
  const stdout = new Out();
  const code = await execute(argv, { stdin, stdout, stderr, env: { ...env } });
  stdin.end();
  const bytes = Buffer.concat(stdout.chunks);
  return {
    code,
    stdout: bytes.toString('utf8'),
    stderr: Buffer.concat(stderr.chunks).toString('utf8'),
    bytes,
  };
}
