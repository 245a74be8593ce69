import {
  CreateSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../../lib/errors';
import { readRotationConfig, rotationFunctionFlag, runLocal } from '../../../lib/cli/local-command';
import { main } from '../../../lib/cli/main';
import { cleanUpBuilds, functionFile, tempDir } from '../../support/rotation-fixtures';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:rotate-generic';
const dir = tempDir('keystage-cli-config-');
afterAll(() => cleanUpBuilds());

function validation(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('no ValidationError');
}

describe('--rotation-function ARN=PATH', () => {
  it('splits at the first =', () => {
    expect(rotationFunctionFlag(`${ARN}=dist/rotation-lambdas/generic/index.js`)).toEqual({
      arn: ARN,
      handler: 'dist/rotation-lambdas/generic/index.js',
    });
    expect(rotationFunctionFlag(`${ARN}=a=b.js`).handler).toBe('a=b.js');
  });

  it.each([ARN, `=${'x'}.js`, `${ARN}=`])('refuses %p', (value) => {
    expect(validation(() => rotationFunctionFlag(value)).field).toBe('--rotation-function');
  });
});

describe('--rotation-config FILE', () => {
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads the functions, handler paths relative to the file', () => {
    const file = write(
      'ok.json',
      JSON.stringify({
        functions: [
          { arn: ARN, handler: 'fns/index.js', environment: { PASSWORD_LENGTH: '40' }, timeoutSeconds: 5 },
        ],
      }),
    );
    expect(readRotationConfig(file)).toEqual([
      {
        arn: ARN,
        handler: join(dir, 'fns', 'index.js'),
        environment: { PASSWORD_LENGTH: '40' },
        timeoutSeconds: 5,
      },
    ]);
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.json'), /cannot read .*missing\.json \(ENOENT\)/],
    ['invalid JSON', () => write('bad.json', '{ functions: [] }'), /is not valid JSON/],
    ['a list at the top', () => write('list.json', '[]'), /must be an object with one key, "functions"/],
    ['another key', () => write('extra.json', '{"functions": [], "timeout": 3}'), /one key, "functions"/],
  ])('refuses %s', (_what, file, message) => {
    const error = validation(() => readRotationConfig(file()));
    expect(error.field).toBe('--rotation-config');
    expect(error.message).toMatch(message);
  });
});

describe('keystage local with rotation functions', () => {
  let stdout: jest.SpyInstance;
  beforeEach(() => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => stdout.mockRestore());

  it('lists the rotation options in its help', async () => {
    await main(['local', '--help']);
    const usage = stdout.mock.calls.join('');
    expect(usage).toContain('--rotation-function ARN=PATH');
    expect(usage).toContain('--rotation-config FILE');
  });

  it('refuses a malformed --rotation-function before starting', async () => {
    await expect(
      main(['local', '--in-memory', '--port', '0', '--rotation-function', 'rotate-generic']),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field: '--rotation-function',
    });
  });

  it('prints the functions it runs and the rotation log', async () => {
    const handler = functionFile(
      dir,
      'quiet',
      `exports.handler = async (event) => { console.log('step', event.Step); };`,
    );
    const lines: string[] = [];
    const sigint = process.listeners('SIGINT');
    const sigterm = process.listeners('SIGTERM');
    const endpoint = await runLocal(
      { port: 0, inMemory: true, rotationFunctions: [{ arn: ARN, handler, timeoutSeconds: 5 }] },
      (line) => lines.push(line),
      () => undefined,
    );
    try {
      expect(lines).toContain(`rotation function: ${ARN} -> ${handler} (timeout 5 s)`);
      const sm = new SecretsManagerClient({
        endpoint: endpoint.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      await sm.send(new CreateSecretCommand({ Name: 'printed', SecretString: 'v1' }));
      const { VersionId } = await sm.send(
        new RotateSecretCommand({ SecretId: 'printed', RotationLambdaARN: ARN, RotateImmediately: false }),
      );
      await endpoint.rotationsIdle();
      // Prefixed with the function's name in its ARN, as its CloudWatch log group would be.
      expect(lines).toContain('[rotate-generic testSecret] step testSecret');
      expect(lines.some((line) => line.endsWith(`${VersionId}: configuration tested`))).toBe(true);
    } finally {
      await endpoint.close();
      for (const listener of process.listeners('SIGINT'))
        if (!sigint.includes(listener)) process.removeListener('SIGINT', listener);
      for (const listener of process.listeners('SIGTERM'))
        if (!sigterm.includes(listener)) process.removeListener('SIGTERM', listener);
    }
  });
});
