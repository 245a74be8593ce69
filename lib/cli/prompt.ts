import { createInterface } from 'node:readline';
import type { CliIo } from './io';

/** What the operator answered: a line, or nothing (Ctrl-C, Ctrl-D, the input closed). */
export type Answer = { readonly line: string } | { readonly interrupted: true };

/**
 * Asks one question on stderr and reads one line from stdin (a terminal). Ctrl-C or the end
 * of input is an answer too, so a prompt never leaves the process waiting on nothing.
 * @example
 * const answer = await ask(io, 'Delete prod/billing/db? [y/N] ');
 */
export function ask(io: CliIo, question: string): Promise<Answer> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: io.stdin, output: io.stderr, terminal: io.stdin.isTTY === true });
    let answered = false;
    const finish = (answer: Answer) => {
      if (answered) return;
      answered = true;
      lines.close();
      resolve(answer);
    };
    lines.on('SIGINT', () => {
      io.stderr.write('\n');
      finish({ interrupted: true });
    });
    lines.on('close', () => finish({ interrupted: true }));
    lines.question(question, (line) => finish({ line }));
  });
}

/**
 * Reads a line from a terminal without echoing it (a secret value typed by hand): raw mode,
 * Enter ends it, Backspace deletes, Ctrl-C or Ctrl-D with nothing typed gives up.
 * @example
 * const answer = await askHidden(io, 'value for prod/billing/stripe (not shown): ');
 */
export function askHidden(io: CliIo, question: string): Promise<Answer> {
  const input = io.stdin;
  return new Promise((resolve) => {
    // Raw before the question shows: keys typed as soon as it appears must not be echoed.
    input.setRawMode?.(true);
    io.stderr.write(question);
    let typed = '';
    const finish = (answer: Answer) => {
      input.removeListener('data', onData);
      input.setRawMode?.(false);
      input.pause();
      io.stderr.write('\n');
      resolve(answer);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n') return finish({ line: typed });
        if (char === '\u0003' || (char === '\u0004' && typed === '')) return finish({ interrupted: true });
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else if (char >= ' ') typed += char;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}
