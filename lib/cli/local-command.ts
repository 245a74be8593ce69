import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ValidationError, show } from '../errors';
import {
  startLocalEndpoint,
  type LocalEndpoint,
  type LocalEndpointOptions,
  type RotationFunctionOptions,
} from '../local';
import type { Flags } from './flags';

/** The options of `keystage local`. */
export const LOCAL_FLAGS = {
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  'in-memory': { type: 'boolean' },
  'rotation-function': { type: 'string', multiple: true },
  'rotation-config': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `keystage local --help`. */
export const LOCAL_HELP = `usage: keystage local [--port N] [--data-dir DIR | --in-memory]
                      [--rotation-function ARN=PATH]... [--rotation-config FILE]

Runs a local Secrets Manager + KMS + CloudWatch Logs endpoint on 127.0.0.1 until Ctrl-C, and prints the
variables that point an AWS SDK or the AWS CLI at it.

options:
  --port N                      port to listen on, 0 for any free one (default 4599)
  --data-dir DIR                where the encrypted state lives (default .keystage/local)
  --in-memory                   keep nothing on disk (not with --data-dir)
  --rotation-function ARN=PATH  run PATH (a built handler, e.g.
                                dist/rotation-lambdas/generic/index.js) when RotateSecret
                                names the Lambda ARN; repeatable
  --rotation-config FILE        rotation functions from a JSON file:
                                {"functions": [{"arn", "handler", "environment", "timeoutSeconds"}]}
  -h, --help                    this help
`;

const DEFAULT_PORT = 4599;

/** `--port`: digits only, 0 to 65535. Number('') is 0, which would silently pick a random port. */
function portFlag(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new ValidationError(
      '--port',
      `--port takes a port number from 0 to 65535 (0: any free port); got ${show(value)}.`,
    );
  }
  return port;
}

/**
 * The endpoint options that `keystage local`'s flags ask for, checked: a bad port, an empty
 * directory, `--data-dir` together with `--in-memory` and malformed rotation functions are
 * ValidationErrors naming the flag.
 * @example
 * localOptions(parseFlags('local', ['--in-memory', '--port', '0'], LOCAL_FLAGS)); // { port: 0, inMemory: true }
 */
export function localOptions(flags: Flags<typeof LOCAL_FLAGS>): LocalEndpointOptions {
  const dataDir = flags['data-dir'];
  if (dataDir === '') {
    throw new ValidationError('--data-dir', '--data-dir takes a directory; got "".');
  }
  if (dataDir !== undefined && flags['in-memory']) {
    throw new ValidationError(
      '--in-memory',
      `--data-dir and --in-memory exclude each other: --in-memory keeps nothing on disk, --data-dir ${show(dataDir)} says where to keep it. Pass one of them.`,
    );
  }
  const rotationFunctions = [
    ...flags['rotation-function'].map(rotationFunctionFlag),
    ...(flags['rotation-config'] === undefined ? [] : readRotationConfig(flags['rotation-config'])),
  ];
  return {
    port: portFlag(flags.port),
    ...(dataDir === undefined ? {} : { dataDir }),
    inMemory: flags['in-memory'],
    ...(rotationFunctions.length === 0 ? {} : { rotationFunctions }),
  };
}

/**
 * One `--rotation-function ARN=PATH` flag: the function's Lambda ARN and its built handler.
 * @example
 * rotationFunctionFlag('arn:aws:lambda:us-east-1:000000000000:function:rotate-generic=dist/rotation-lambdas/generic/index.js');
 */
export function rotationFunctionFlag(value: string): RotationFunctionOptions {
  const at = value.indexOf('=');
  if (at <= 0 || at === value.length - 1) {
    throw new ValidationError(
      '--rotation-function',
      `--rotation-function takes ARN=PATH, e.g. arn:aws:lambda:us-east-1:000000000000:function:rotate-generic=dist/rotation-lambdas/generic/index.js; got ${show(value)}.`,
    );
  }
  return { arn: value.slice(0, at), handler: value.slice(at + 1) };
}

/**
 * The functions of a `--rotation-config` file: `{ "functions": [{ "arn", "handler",
 * "environment"?, "timeoutSeconds"? }] }`, handler paths relative to the file. The endpoint
 * checks each entry when it starts.
 * @example
 * const functions = readRotationConfig('rotation.json');
 */
export function readRotationConfig(file: string): RotationFunctionOptions[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ValidationError('--rotation-config', `--rotation-config: cannot read ${file} (${code}).`);
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    throw new ValidationError('--rotation-config', `--rotation-config: ${file} is not valid JSON.`);
  }
  const functions = (config as { functions?: unknown } | null)?.functions;
  if (
    typeof config !== 'object' ||
    config === null ||
    Object.keys(config).some((key) => key !== 'functions') ||
    !Array.isArray(functions)
  ) {
    throw new ValidationError(
      '--rotation-config',
      `--rotation-config: ${file} must be an object with one key, "functions": a list of { arn, handler, environment, timeoutSeconds }.`,
    );
  }
  const base = dirname(resolve(file));
  return functions.map((entry: unknown) => {
    const handler = (entry as { handler?: unknown } | null)?.handler;
    // Left as they are otherwise: the endpoint reports what is wrong with an entry.
    return typeof handler === 'string' && handler !== ''
      ? { ...(entry as RotationFunctionOptions), handler: resolve(base, handler) }
      : (entry as RotationFunctionOptions);
  });
}

/**
 * Runs the local endpoint until SIGINT or SIGTERM and prints how to point an SDK at it; its
 * log (rotation steps, and the rotation functions' own output) is printed too.
 * @example
 * const endpoint = await runLocal({ port: 4599 }, (line) => process.stdout.write(`${line}\n`));
 */
export async function runLocal(
  options: LocalEndpointOptions,
  print: (line: string) => void,
  exit: (code: number) => void = (code) => process.exit(code),
): Promise<LocalEndpoint> {
  const endpoint = await startLocalEndpoint({ log: print, ...options });
  // Before anything is printed: whoever reads "listening" may stop it at once, and a stop
  // must release the data directory.
  const stop = (signal: string) => {
    print(`\n${signal}: stopping`);
    void endpoint.close().then(() => exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  print(`keystage local endpoint (Secrets Manager + KMS + CloudWatch Logs) listening at ${endpoint.url}`);
  print(
    options.inMemory === true
      ? 'state: in memory'
      : `state: ${options.dataDir ?? '.keystage/local'} (encrypted)`,
  );
  for (const fn of options.rotationFunctions ?? []) {
    print(`rotation function: ${fn.arn} -> ${resolve(fn.handler)} (timeout ${fn.timeoutSeconds ?? 30} s)`);
  }
  print('\nPoint an AWS SDK or the AWS CLI at it:');
  const environment: Record<string, string> = { ...endpoint.environment() };
  // AWS CLI v1 and boto3 read the region from AWS_DEFAULT_REGION only, not AWS_REGION.
  if (environment.AWS_REGION !== undefined) environment.AWS_DEFAULT_REGION ??= environment.AWS_REGION;
  for (const [key, value] of Object.entries(environment)) print(`  export ${key}=${value}`);
  print('\nCtrl-C stops it.');
  return endpoint;
}
