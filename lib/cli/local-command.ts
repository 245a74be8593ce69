import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ValidationError, show } from '../errors';
import {
  startLocalEndpoint,
  type LocalEndpoint,
  type LocalEndpointOptions,
  type RotationFunctionOptions,
} from '../local';

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
  print(`keystage local endpoint (Secrets Manager + KMS) listening at ${endpoint.url}`);
  print(
    options.inMemory === true
      ? 'state: in memory'
      : `state: ${options.dataDir ?? '.keystage/local'} (encrypted)`,
  );
  for (const fn of options.rotationFunctions ?? []) {
    print(`rotation function: ${fn.arn} -> ${resolve(fn.handler)} (timeout ${fn.timeoutSeconds ?? 30} s)`);
  }
  print('\nPoint an AWS SDK or the AWS CLI at it:');
  for (const [key, value] of Object.entries(endpoint.environment())) print(`  export ${key}=${value}`);
  print('\nCtrl-C stops it.');
  return endpoint;
}
