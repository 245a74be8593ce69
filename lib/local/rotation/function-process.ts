import { spawn } from 'node:child_process';
import { devNull } from 'node:os';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * A rotation function run the way Lambda runs it: one child Node.js process per invocation.
 * @example
 * const fn: RotationFunction = { arn, name: 'rotate-generic', handler: '/abs/index.js', environment: {}, timeoutSeconds: 30 };
 */
export interface RotationFunction {
  /** The Lambda ARN secrets name as their RotationLambdaARN. */
  readonly arn: string;
  /** The function name in the ARN: the prefix of its log lines. */
  readonly name: string;
  /** Absolute path of the CommonJS file that exports `handler`. */
  readonly handler: string;
  /** The function's own environment variables (PASSWORD_LENGTH, ...). */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
}

/**
 * How an invocation ended, as Lambda reports it: nothing, or a function error.
 * @example
 * if (!result.ok) log(`${result.errorType}: ${result.errorMessage}`);
 */
export type InvocationResult =
  { readonly ok: true } | { readonly ok: false; readonly errorType: string; readonly errorMessage: string };

/**
 * One invocation: the event, and where the function's SDK calls go.
 * @example
 * const request: InvocationRequest = { event, region: 'us-east-1', endpointUrl: endpoint.url, output: log };
 */
export interface InvocationRequest {
  readonly event: unknown;
  /** The secret's region: the function's AWS_REGION. */
  readonly region: string;
  /** Where the function's SDK sends its calls: this endpoint. */
  readonly endpointUrl: string;
  /** Each line the function writes to stdout or stderr. */
  readonly output: (line: string) => void;
}

/** Lambda gives a function this long to load (its init phase). */
const CHECK_TIMEOUT_MS = 10_000;

// Runs inside the child. Loads the handler, reads the event from stdin, calls the handler
// (async, or with a callback) with a Lambda-like context, writes the result as JSON to fd 3,
// flushes its output and exits: whatever the function left running (timers, sockets) ends
// with the invocation, as when Lambda freezes the sandbox. Errors are reported, and written
// to stderr, the way the Lambda Node.js runtime does.
const BOOTSTRAP = String.raw`'use strict';
const fs = require('node:fs');
const { randomUUID } = require('node:crypto');
const [mode, handlerPath, functionName, functionArn, timeoutMs] = process.argv.slice(1);
let reported = false;
function describe(error) {
  if (error instanceof Error) return { errorType: error.name || 'Error', errorMessage: String(error.message) };
  return { errorType: error === null ? 'null' : typeof error, errorMessage: String(error) };
}
function finish(result, code) {
  if (reported) return;
  reported = true;
  try { fs.writeSync(3, JSON.stringify(result)); } catch {}
  if (!result.ok) {
    process.stderr.write('ERROR\tInvoke Error \t' + JSON.stringify({ errorType: result.errorType, errorMessage: result.errorMessage }) + '\n');
  }
  let open = 2;
  const done = () => { if (--open === 0) process.exit(code); };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
const fail = (error) => finish({ ok: false, ...describe(error) }, 1);
process.on('uncaughtException', fail);
process.on('unhandledRejection', (reason) => {
  const { errorMessage } = describe(reason);
  finish({ ok: false, errorType: 'Runtime.UnhandledPromiseRejection', errorMessage }, 1);
});
function main() {
  let exported;
  try {
    exported = require(handlerPath);
  } catch (error) {
    const { errorType, errorMessage } = describe(error);
    const type = error instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError';
    return finish({ ok: false, errorType: type, errorMessage: errorType + ': ' + errorMessage }, 1);
  }
  const handler = exported === null || exported === undefined ? undefined : exported.handler;
  if (typeof handler !== 'function') {
    return finish({ ok: false, errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.handler is undefined or not exported' }, 1);
  }
  if (mode === 'check') return finish({ ok: true }, 0);
  const event = JSON.parse(fs.readFileSync(0, 'utf8'));
  const deadline = Date.now() + Number(timeoutMs);
  const requestId = randomUUID();
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: '128',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/' + functionName,
    logStreamName: new Date().toISOString().slice(0, 10).replace(/-/g, '/') + '/[$LATEST]' + requestId.replace(/-/g, ''),
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const succeed = () => finish({ ok: true }, 0);
  const callback = (error) => (error === null || error === undefined ? succeed() : fail(error));
  try {
    const returned = handler(event, context, callback);
    if (returned !== null && typeof returned === 'object' && typeof returned.then === 'function') {
      returned.then(succeed, fail);
    } else if (handler.length < 3) {
      succeed();
    }
  } catch (error) {
    fail(error);
  }
}
main();
`;

/** Where keystage's AWS SDK lives: the SDK a Lambda Node.js runtime provides to functions. */
function runtimeModules(): string | undefined {
  try {
    return resolve(dirname(require.resolve('@aws-sdk/client-secrets-manager/package.json')), '..', '..');
  } catch {
    return undefined;
  }
}
const RUNTIME_MODULES = runtimeModules();

/**
 * The child's whole environment. Nothing comes from the endpoint's own process, which may
 * hold real credentials: the SDK is pointed at this endpoint with dummy credentials and no
 * shared config or credentials file, plus the variables Lambda sets and the function's own.
 * @example
 * functionEnvironment(fn, 'eu-west-1', 'http://127.0.0.1:4599').AWS_REGION; // 'eu-west-1'
 */
export function functionEnvironment(
  fn: RotationFunction,
  region: string,
  endpointUrl: string,
): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: 'UTC',
    ...(RUNTIME_MODULES === undefined ? {} : { NODE_PATH: RUNTIME_MODULES }),
    LAMBDA_TASK_ROOT: dirname(fn.handler),
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL: endpointUrl,
    AWS_CONFIG_FILE: devNull,
    AWS_SHARED_CREDENTIALS_FILE: devNull,
    AWS_EC2_METADATA_DISABLED: 'true',
    // The function's SDK would print its Node.js support notice into the endpoint's output at
    // every invocation; the function's own environment may still set it.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...fn.environment,
  };
}

/** Kills the child and anything it started (its process group), ignoring what is gone already. */
function killTree(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL');
  } catch {
    // Exited already.
  }
}

function run(
  fn: RotationFunction,
  mode: 'check' | 'invoke',
  timeoutMs: number,
  request: InvocationRequest,
): Promise<InvocationResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: InvocationResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const child = spawn(
      process.execPath,
      ['-e', BOOTSTRAP, mode, fn.handler, fn.name, fn.arn, String(timeoutMs)],
      {
        cwd: dirname(fn.handler),
        env: functionEnvironment(fn, request.region, request.endpointUrl),
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
        // Its own process group, so a timeout also ends whatever the function spawned.
        detached: process.platform !== 'win32',
        windowsHide: true,
      },
    );
    let timedOut = false;
    let spawnError: Error | undefined;
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(child.pid);
    }, timeoutMs);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', request.output);
    }
    const results = child.stdio[3];
    results?.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stdin.on('error', () => undefined); // The function may exit without reading its event.
    child.stdin.end(JSON.stringify(request.event));
    child.on('error', (error) => {
      spawnError = error;
      // Never started: no 'close' may follow.
      if (child.pid === undefined) {
        clearTimeout(timer);
        done({ ok: false, errorType: 'Runtime.InvalidEntrypoint', errorMessage: error.message });
      }
    });
    child.on('exit', () => killTree(child.pid));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        const seconds = (timeoutMs / 1000).toFixed(2);
        done({
          ok: false,
          errorType: 'Sandbox.Timedout',
          errorMessage: `Task timed out after ${seconds} seconds`,
        });
        return;
      }
      if (spawnError !== undefined) {
        done({ ok: false, errorType: 'Runtime.InvalidEntrypoint', errorMessage: spawnError.message });
        return;
      }
      try {
        const result = JSON.parse(Buffer.concat(chunks).toString('utf8')) as InvocationResult;
        if (result.ok === true || typeof result.errorType === 'string') {
          done(result.ok ? { ok: true } : result);
          return;
        }
      } catch {
        // No result: the function exited (or was killed) before it returned.
      }
      done({
        ok: false,
        errorType: 'Runtime.ExitError',
        errorMessage:
          signal === null
            ? `Runtime exited with error: exit status ${String(code)}`
            : `Runtime exited with error: signal: ${signal}`,
      });
    });
  });
}

/**
 * Invokes `fn` once with `event` in a fresh child process and resolves with the result; a
 * crash, `process.exit` or a timeout is a function error, never an error of the caller.
 * @example
 * const result = await invokeFunction(fn, { event, region: 'us-east-1', endpointUrl, output: log });
 */
export function invokeFunction(fn: RotationFunction, request: InvocationRequest): Promise<InvocationResult> {
  return run(fn, 'invoke', fn.timeoutSeconds * 1000, request);
}

/**
 * Loads `fn` in a child process, with its environment, and checks that it exports a
 * `handler` function; resolves with the error Lambda would report, or `{ ok: true }`.
 * @example
 * const loaded = await loadFunction(fn, 'us-east-1');
 */
export function loadFunction(fn: RotationFunction, region: string): Promise<InvocationResult> {
  // No endpoint yet: a port that refuses connections, so code run at load reaches nothing.
  return run(fn, 'check', CHECK_TIMEOUT_MS, {
    event: null,
    region,
    endpointUrl: 'http://127.0.0.1:9',
    output: () => undefined,
  });
}
