import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ValidationError, show } from '../../errors';
import { loadFunction, type RotationFunction } from './function-process';

/**
 * A rotation function for the endpoint to run when a secret names its ARN.
 * @example
 * const generic: RotationFunctionOptions = {
 *   arn: 'arn:aws:lambda:us-east-1:000000000000:function:rotate-generic',
 *   handler: 'dist/rotation-lambdas/generic/index.js',
 *   environment: { PASSWORD_LENGTH: '48' },
 *   timeoutSeconds: 30,
 * };
 */
export interface RotationFunctionOptions {
  /** The Lambda ARN, e.g. `arn:aws:lambda:us-east-1:000000000000:function:rotate-generic`. */
  readonly arn: string;
  /** A built CommonJS handler file exporting `handler`, e.g. `dist/rotation-lambdas/generic/index.js`. */
  readonly handler: string;
  /** The function's environment variables (PASSWORD_LENGTH, GENERIC_KIND, ...). @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** An invocation (one step) running longer fails and is killed, as in Lambda. @default 30 */
  readonly timeoutSeconds?: number;
}

/** Names Lambda reserves; the endpoint sets them (and the SDK's endpoint) itself. */
const RESERVED = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_RUNTIME_API',
  'AWS_REGION',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
]);

const LAMBDA_ARN =
  /^arn:aws[a-z-]*:lambda:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):function:([A-Za-z0-9_-]{1,64})(?::(?:\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;

const DEFAULT_TIMEOUT_SECONDS = 30;
const KEYS = new Set(['arn', 'handler', 'environment', 'timeoutSeconds']);

function checkOne(option: unknown, at: string): { fn: RotationFunction; region: string } {
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new ValidationError(at, `${at} must be an object with arn and handler, got ${show(option)}.`);
  }
  const entry = option as Record<string, unknown>;
  for (const key of Object.keys(entry)) {
    if (!KEYS.has(key)) {
      throw new ValidationError(
        `${at}.${key}`,
        `${at} has an unknown field ${show(key)}; a rotation function has ${[...KEYS].join(', ')}.`,
      );
    }
  }
  const arn = entry.arn;
  const match = typeof arn === 'string' ? LAMBDA_ARN.exec(arn) : null;
  if (typeof arn !== 'string' || match === null) {
    throw new ValidationError(
      `${at}.arn`,
      `${at}.arn must be a Lambda function ARN such as arn:aws:lambda:us-east-1:000000000000:function:rotate-generic, got ${show(arn)}.`,
    );
  }
  const handler = entry.handler;
  if (typeof handler !== 'string' || handler === '') {
    throw new ValidationError(`${at}.handler`, `${at}.handler must be the path of a built handler file.`);
  }
  const path = resolve(handler);
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    // Reported below.
  }
  if (!isFile) {
    throw new ValidationError(
      `${at}.handler`,
      `${at}.handler: no file at ${path}. Build the rotation functions first (npm run build).`,
    );
  }
  const timeout = entry.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > 900) {
    throw new ValidationError(
      `${at}.timeoutSeconds`,
      `${at}.timeoutSeconds must be a whole number of seconds from 1 to 900 (Lambda's limit), got ${show(timeout)}.`,
    );
  }
  const environment = entry.environment ?? {};
  if (typeof environment !== 'object' || environment === null || Array.isArray(environment)) {
    throw new ValidationError(`${at}.environment`, `${at}.environment must be an object of strings.`);
  }
  for (const [key, value] of Object.entries(environment)) {
    const field = `${at}.environment.${key}`;
    if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(key)) {
      throw new ValidationError(field, `${field}: a variable name is a letter then letters, digits or _.`);
    }
    if (RESERVED.has(key) || key.startsWith('AWS_ENDPOINT_URL')) {
      throw new ValidationError(
        field,
        `${field} is set by the endpoint (Lambda reserves it, or it points the SDK here); remove it.`,
      );
    }
    // The value is never shown: a function's variables may hold a credential.
    if (typeof value !== 'string') throw new ValidationError(field, `${field} must be a string.`);
  }
  return {
    fn: {
      arn,
      name: match[3]!,
      handler: path,
      environment: { ...(environment as Record<string, string>) },
      timeoutSeconds: timeout,
    },
    region: match[1]!,
  };
}

/**
 * Checks the endpoint's `rotationFunctions` before it starts: each ARN is a Lambda function
 * ARN (once), each handler file exists and, loaded in a child process with the function's
 * environment, exports a `handler` function. Relative handler paths are from the working
 * directory. Throws a {@link ValidationError} naming the field.
 * @example
 * const functions = await checkRotationFunctions([
 *   { arn: 'arn:aws:lambda:us-east-1:000000000000:function:rotate-generic', handler: 'dist/rotation-lambdas/generic/index.js' },
 * ]);
 */
export async function checkRotationFunctions(options: unknown): Promise<RotationFunction[]> {
  if (options === undefined) return [];
  if (!Array.isArray(options)) {
    throw new ValidationError('rotationFunctions', 'rotationFunctions must be an array.');
  }
  const checked = options.map((option, i) => checkOne(option, `rotationFunctions[${i}]`));
  const seen = new Set<string>();
  checked.forEach(({ fn }, i) => {
    if (seen.has(fn.arn)) {
      throw new ValidationError(
        `rotationFunctions[${i}].arn`,
        `rotationFunctions[${i}].arn: ${fn.arn} is given twice; one ARN runs one function.`,
      );
    }
    seen.add(fn.arn);
  });
  const loaded = await Promise.all(checked.map(({ fn, region }) => loadFunction(fn, region)));
  loaded.forEach((result, i) => {
    if (result.ok) return;
    const at = `rotationFunctions[${i}].handler`;
    const { handler } = checked[i]!.fn;
    throw new ValidationError(
      at,
      result.errorType === 'Runtime.HandlerNotFound'
        ? `${at}: ${handler} does not export a function named handler.`
        : `${at}: ${handler} could not be loaded (${result.errorType}): ${result.errorMessage}`,
    );
  });
  return checked.map(({ fn }) => fn);
}
