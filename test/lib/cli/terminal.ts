import { execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliBundle } from '../../support/local-process';
import { CHILD_ENV } from './cli-harness';

const run = promisify(execFile);

/** `'it''s'` quoting for sh: every argument as one word. */
const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/** The shell command that runs the built `keystage` with `argv` and the child environment. */
export function keystageCommand(argv: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  const variables = Object.entries({ ...CHILD_ENV, ...env }).map(
    ([key, value]) => `${key}=${quote(value ?? '')}`,
  );
  return [
    'env',
    '-u',
    'NO_COLOR',
    ...variables,
    quote(process.execPath),
    quote(cliBundle()),
    ...argv.map(quote),
  ].join(' ');
}

/**
 * A real terminal: a detached tmux session on this test process's own tmux server (its own
 * socket, so nobody else's sessions are touched) running one `keystage` command. Keys go in
 * with send-keys; the screen comes back with capture-pane.
 */
export class Terminal {
  static readonly socket = `keystage-cli-test-${process.pid}`;
  static #count = 0;

  private constructor(readonly session: string) {}

  /** Starts `keystage <argv>` in a new 160x50 terminal; the shell prints `[exit N]` when it ends. */
  static async open(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Terminal> {
    const session = `t${++Terminal.#count}`;
    const command = `${keystageCommand(argv, env)}; echo "[exit $?]"; sleep 600`;
    await Terminal.tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '50', command);
    return new Terminal(session);
  }

  private static async tmux(...args: string[]): Promise<string> {
    return (await run('tmux', ['-L', Terminal.socket, ...args], { encoding: 'utf8' })).stdout;
  }

  /** Types keys: text literally, or tmux key names such as Enter and C-c. */
  async send(...keys: string[]): Promise<void> {
    await Terminal.tmux('send-keys', '-t', this.session, ...keys);
  }

  /** What the terminal shows now, lines joined. */
  async screen(): Promise<string> {
    return Terminal.tmux('capture-pane', '-p', '-J', '-t', this.session);
  }

  /** Waits until the screen matches, and returns it; fails with the screen after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The exit code the shell printed, once the command has ended. */
  async exitCode(): Promise<number> {
    return Number(/\[exit (\d+)\]/.exec(await this.waitFor(/\[exit \d+\]/))![1]);
  }

  async close(): Promise<void> {
    await Terminal.tmux('kill-session', '-t', this.session).catch(() => undefined);
  }

  /** Stops this test process's tmux server (and only it), and removes its socket. */
  static async stopServer(): Promise<void> {
    await Terminal.tmux('kill-server').catch(() => undefined);
    // The server may have gone with its last session, leaving the socket file behind.
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, Terminal.socket), {
      force: true,
    });
  }
}

/**
 * Runs `keystage <argv>` under `script`, which gives it a pseudo-terminal for stdin, stdout
 * and stderr, and resolves to every byte the terminal received: redraws (`\r`, erase line)
 * and colours included, which a screen capture would have flattened.
 */
export function recordTerminal(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', keystageCommand(argv, { COLUMNS: '160', ...env }), '/dev/null'], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, TERM: 'xterm-256color' },
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    child.stdin.end();
  });
}
