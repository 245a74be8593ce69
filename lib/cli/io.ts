/** A stream the CLI writes to, with what a terminal adds. */
export type CliOutput = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };

/** The stream the CLI reads from, with what a terminal adds. */
export type CliInput = NodeJS.ReadableStream & {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
};

/** Where the CLI reads and writes: the process's streams, or a test's. */
export interface CliIo {
  readonly stdin: CliInput;
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** The variables the CLI reads itself (KEYSTAGE_*, NO_COLOR); the AWS SDK reads process.env. */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The process's own streams and environment.
 * @example
 * const io = processIo();
 */
export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}
