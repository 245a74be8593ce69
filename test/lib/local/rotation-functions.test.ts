import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../../lib/errors';
import { startLocalEndpoint, type RotationFunctionOptions } from '../../../lib/local';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { cleanUpBuilds, functionFile, genericBundle, tempDir } from '../../support/rotation-fixtures';

// Rotation functions run as Lambda runs them: a child Node.js process per invocation, with
// the event on stdin, an environment that points the SDK at the endpoint and nothing else
// of the endpoint's own, killed at its timeout. The fixtures are plain CommonJS files.

const arn = (name: string, region = 'us-east-1') => `arn:aws:lambda:${region}:000000000000:function:${name}`;
const dir = tempDir('keystage-functions-');
const out = (name: string) => join(dir, `${name}.out`);

const FIXTURES: Record<string, string> = {
  env: `exports.handler = async (event) => {
  require('node:fs').writeFileSync(process.env.ENV_OUT, JSON.stringify({ env: process.env, cwd: process.cwd(), event }));
};`,
  exits: `exports.handler = async () => { console.log('exiting now'); process.exit(3); };`,
  hangs: `exports.handler = async () => {
  const child = require('node:child_process').spawn('sleep', ['60'], { stdio: 'ignore' });
  require('node:fs').writeFileSync(process.env.PID_OUT, JSON.stringify([process.pid, child.pid]));
  await new Promise(() => setInterval(() => undefined, 1000));
};`,
  leaks: `exports.handler = async () => { setInterval(() => undefined, 1000); console.log('left a timer running'); };`,
  talks: `exports.handler = async (event) => {
  console.log('hello from', event.Step);
  console.error('a warning on stderr');
  throw new TypeError('no luck this time');
};`,
  callback: `exports.handler = (event, context, callback) => {
  console.log('remaining ' + (context.getRemainingTimeInMillis() > 0) + ' ' + context.functionName);
  setTimeout(() => callback(null), 10);
};`,
  rejects: `exports.handler = async () => {
  Promise.reject(new RangeError('nobody waits for this'));
  await new Promise((resolve) => setTimeout(resolve, 2000));
};`,
  'no-handler': `exports.other = async () => undefined;`,
  'throws-at-load': `throw new Error('cannot start: MISSING_SETTING is not set');`,
};
const paths = Object.fromEntries(
  Object.entries(FIXTURES).map(([name, src]) => [name, functionFile(dir, name, src)]),
);

let local: LocalFixture;
let sm: SecretsManagerClient;
const lines: string[] = [];
let n = 0;

beforeAll(async () => {
  process.env.KEYSTAGE_ENDPOINT_ONLY_SECRET = 'must-not-reach-a-function';
  local = await startLocal({
    rotationAttempts: 1,
    log: (line) => lines.push(line),
    rotationFunctions: [
      { arn: arn('env'), handler: paths.env!, environment: { ENV_OUT: out('env'), PASSWORD_LENGTH: '40' } },
      { arn: arn('exits'), handler: paths.exits! },
      { arn: arn('hangs'), handler: paths.hangs!, timeoutSeconds: 1, environment: { PID_OUT: out('hangs') } },
      { arn: arn('leaks'), handler: paths.leaks! },
      { arn: arn('talks'), handler: paths.talks! },
      { arn: arn('callback'), handler: paths.callback! },
      { arn: arn('rejects'), handler: paths.rejects! },
      { arn: arn('generic'), handler: genericBundle(), environment: { PASSWORD_LENGTH: '48' } },
    ],
  });
  sm = local.sm();
});
afterAll(async () => {
  delete process.env.KEYSTAGE_ENDPOINT_ONLY_SECRET;
  await local.endpoint.close();
  cleanUpBuilds();
});

async function rotate(fn: string, options: { region?: string; immediately?: boolean } = {}) {
  const client = options.region === undefined ? sm : local.sm(options.region);
  const name = `functions/${fn}/${++n}`;
  const { ARN } = await client.send(new CreateSecretCommand({ Name: name, SecretString: `initial-${n}` }));
  const { VersionId } = await client.send(
    new RotateSecretCommand({
      SecretId: name,
      RotationLambdaARN: arn(fn),
      ...(options.immediately === false ? { RotateImmediately: false } : {}),
    }),
  );
  await local.endpoint.rotationsIdle();
  const events = local.endpoint.rotationEvents.filter((e) => e.secretArn === ARN);
  return { name, arn: ARN!, versionId: VersionId!, events, client };
}

/** Running: a killed process whose parent died stays a zombie until init reaps it, if it does. */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return process.platform !== 'linux';
  }
};

describe('rotation functions in child processes', () => {
  it('rotates through the built generic function, with its own variables and no value in the log', async () => {
    const before = lines.length;
    const { name, arn: secretArn, versionId, events } = await rotate('generic');
    expect(events.map((e) => e.type)).toEqual(['RotationStarted', 'RotationSucceeded']);
    const value = (await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString!;
    expect(value).toHaveLength(48);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    // AWSPENDING may stay on the new AWSCURRENT version, as the service allows.
    expect(described.VersionIdsToStages![versionId]).toContain('AWSCURRENT');
    const logged = lines.slice(before);
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      expect(logged).toContainEqual(
        expect.stringMatching(
          new RegExp(`^rotation ${secretArn} ${versionId}: ${step} ok in \\d+ ms \\(attempt 1 of 1\\)$`),
        ),
      );
      // The function's own JSON lines, passed through with the function and step.
      expect(logged.some((line) => line.startsWith(`[generic ${step}] {`))).toBe(true);
    }
    expect(logged.at(-1)).toBe(`rotation ${secretArn} ${versionId}: succeeded`);
    expect(logged.join('\n')).not.toContain(value);
    expect(logged.join('\n')).not.toContain(`initial-${n}`);
  });

  it("gives the function the secret's region, dummy credentials, this endpoint and nothing of the endpoint's environment", async () => {
    const { events } = await rotate('env', { region: 'eu-west-1', immediately: false });
    expect(events.map((e) => e.type)).toEqual(['RotationStarted', 'RotationSucceeded']);
    const { env, cwd, event } = JSON.parse(readFileSync(out('env'), 'utf8')) as {
      env: Record<string, string>;
      cwd: string;
      event: Record<string, string>;
    };
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL: local.endpoint.url,
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_LAMBDA_FUNCTION_NAME: 'env',
      PASSWORD_LENGTH: '40',
    });
    // The function's SDK prints no Node.js support notice into the endpoint's output.
    expect(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
    // The test process has a (dummy) secret key, an endpoint and its own variables: none of them pass.
    expect(process.env.AWS_SECRET_ACCESS_KEY).toBeDefined();
    expect(JSON.stringify(env)).not.toContain(process.env.AWS_SECRET_ACCESS_KEY!);
    expect(JSON.stringify(env)).not.toContain('must-not-reach-a-function');
    expect(Object.keys(env).sort()).toEqual(
      [
        'PATH',
        'LANG',
        'TZ',
        'NODE_PATH',
        'LAMBDA_TASK_ROOT',
        'AWS_EXECUTION_ENV',
        'AWS_LAMBDA_FUNCTION_NAME',
        'AWS_LAMBDA_FUNCTION_VERSION',
        'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
        'AWS_LAMBDA_LOG_GROUP_NAME',
        'AWS_REGION',
        'AWS_DEFAULT_REGION',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_ENDPOINT_URL',
        'AWS_CONFIG_FILE',
        'AWS_SHARED_CREDENTIALS_FILE',
        'AWS_EC2_METADATA_DISABLED',
        'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
        'ENV_OUT',
        'PASSWORD_LENGTH',
      ].sort(),
    );
    expect(cwd).toBe(dir);
    expect(event).toMatchObject({ Step: 'testSecret', SecretId: expect.stringContaining(':eu-west-1:') });
  });

  it('fails the step when the function exits, and the endpoint carries on', async () => {
    const { events } = await rotate('exits');
    expect(events.at(-1)).toMatchObject({
      type: 'RotationFailed',
      step: 'createSecret',
      message: 'Runtime.ExitError: Runtime exited with error: exit status 3',
    });
    expect(lines).toContain('[exits createSecret] exiting now');
    await expect(sm.send(new ListSecretsCommand({}))).resolves.toBeDefined();
  });

  it('kills a step at its timeout, with whatever it started, and fails it', async () => {
    const started = Date.now();
    const { events } = await rotate('hangs');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(events.at(-1)).toMatchObject({
      type: 'RotationFailed',
      step: 'createSecret',
      message: 'Sandbox.Timedout: Task timed out after 1.00 seconds',
    });
    const [pid, grandchild] = JSON.parse(readFileSync(out('hangs'), 'utf8')) as [number, number];
    expect(alive(pid)).toBe(false);
    expect(alive(grandchild)).toBe(false);
  });

  it('ends an invocation when the handler returns, even with a timer left running', async () => {
    const started = Date.now();
    const { events } = await rotate('leaks', { immediately: false });
    expect(events.map((e) => e.type)).toEqual(['RotationStarted', 'RotationSucceeded']);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(lines).toContain('[leaks testSecret] left a timer running');
  });

  it("passes the function's stdout and stderr through, prefixed, and reports its error", async () => {
    const { arn: secretArn, versionId, events } = await rotate('talks');
    expect(events.at(-1)).toMatchObject({
      type: 'RotationFailed',
      step: 'createSecret',
      message: 'TypeError: no luck this time',
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        '[talks createSecret] hello from createSecret',
        '[talks createSecret] a warning on stderr',
        `rotation ${secretArn} ${versionId}: failed at createSecret`,
      ]),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^rotation ${secretArn} ${versionId}: createSecret failed \\(TypeError\\) in \\d+ ms`),
      ),
    );
  });

  it('runs callback-style handlers with a Lambda context', async () => {
    const { events } = await rotate('callback', { immediately: false });
    expect(events.map((e) => e.type)).toEqual(['RotationStarted', 'RotationSucceeded']);
    expect(lines).toContain('[callback testSecret] remaining true callback');
  });

  it('fails the step on an unhandled rejection, as the Lambda runtime does', async () => {
    const { events } = await rotate('rejects', { immediately: false });
    expect(events.at(-1)).toMatchObject({
      type: 'RotationFailed',
      step: 'testSecret',
      message: 'Runtime.UnhandledPromiseRejection: nobody waits for this',
    });
  });
});

describe('rotationFunctions are checked before the endpoint starts', () => {
  const refused = async (rotationFunctions: unknown): Promise<ValidationError> => {
    try {
      const endpoint = await startLocalEndpoint({
        inMemory: true,
        rotationFunctions: rotationFunctions as RotationFunctionOptions[],
      });
      await endpoint.close();
    } catch (error) {
      if (error instanceof ValidationError) return error;
      throw error;
    }
    throw new Error('the endpoint started');
  };
  const ok = { arn: arn('ok'), handler: paths.env! };

  it.each([
    [
      'a missing file',
      [{ arn: arn('x'), handler: join(dir, 'missing.js') }],
      'rotationFunctions[0].handler',
      /no file at/,
    ],
    [
      'no handler export',
      [{ arn: arn('x'), handler: paths['no-handler'] }],
      'rotationFunctions[0].handler',
      /does not export a function named handler/,
    ],
    [
      'a module that throws as it loads',
      [{ arn: arn('x'), handler: paths['throws-at-load'] }],
      'rotationFunctions[0].handler',
      /could not be loaded \(Runtime.ImportModuleError\): Error: cannot start: MISSING_SETTING/,
    ],
    [
      'a bad ARN',
      [{ arn: 'rotate-generic', handler: paths.env }],
      'rotationFunctions[0].arn',
      /must be a Lambda function ARN/,
    ],
    [
      'an ARN of another service',
      [{ arn: 'arn:aws:sqs:us-east-1:000000000000:queue', handler: paths.env }],
      'rotationFunctions[0].arn',
      /Lambda function ARN/,
    ],
    ['an ARN given twice', [ok, { ...ok }], 'rotationFunctions[1].arn', /given twice/],
    [
      'a timeout of 0',
      [{ ...ok, timeoutSeconds: 0 }],
      'rotationFunctions[0].timeoutSeconds',
      /from 1 to 900/,
    ],
    [
      "a timeout past Lambda's",
      [{ ...ok, timeoutSeconds: 901 }],
      'rotationFunctions[0].timeoutSeconds',
      /from 1 to 900/,
    ],
    [
      'a reserved variable',
      [{ ...ok, environment: { AWS_REGION: 'eu-west-1' } }],
      'rotationFunctions[0].environment.AWS_REGION',
      /set by the endpoint/,
    ],
    [
      'an endpoint variable',
      [
        {
          ...ok,
          environment: { AWS_ENDPOINT_URL_SECRETS_MANAGER: 'https://secretsmanager.us-east-1.amazonaws.com' },
        },
      ],
      'rotationFunctions[0].environment.AWS_ENDPOINT_URL_SECRETS_MANAGER',
      /set by the endpoint/,
    ],
    [
      'a variable that is not a string',
      [{ ...ok, environment: { PASSWORD_LENGTH: 40 } }],
      'rotationFunctions[0].environment.PASSWORD_LENGTH',
      /must be a string/,
    ],
    ['an unknown field', [{ ...ok, timeout: 5 }], 'rotationFunctions[0].timeout', /unknown field "timeout"/],
    ['something not a list', { arn: arn('x') }, 'rotationFunctions', /must be an array/],
  ])('refuses %s', async (_what, options, field, message) => {
    const error = await refused(options);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('loads the generic function with its environment and refuses a bad PASSWORD_LENGTH without showing it', async () => {
    const error = await refused([
      { arn: arn('generic'), handler: genericBundle(), environment: { PASSWORD_LENGTH: 'forty-two' } },
    ]);
    expect(error.field).toBe('rotationFunctions[0].handler');
    expect(error.message).toContain('PASSWORD_LENGTH must be a whole number');
    expect(error.message).not.toContain('forty-two');
  });
});
