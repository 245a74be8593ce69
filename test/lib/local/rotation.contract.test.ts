import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  CreateSecretCommand,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
  CancelRotateSecretCommand,
  ResourceNotFoundException,
  type RotateSecretCommandInput,
  type SecretsManagerClient,
  type SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import type { RotationHandlerEvent } from '../../../lib/local';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:rotate-generic';
const UNREGISTERED = 'arn:aws:lambda:us-east-1:000000000000:function:not-deployed';
const CANNOT_INVOKE =
  'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.';
let local: LocalFixture;
let sm: SecretsManagerClient;
let n = 0;

/** A minimal generic rotation function, written against the real SDK like a Lambda would be. */
function genericRotation(client: SecretsManagerClient, steps: string[], failTest = { times: 0 }) {
  return async (event: RotationHandlerEvent) => {
    steps.push(event.Step);
    const { SecretId: id, ClientRequestToken: token } = event;
    if (event.Step === 'createSecret') {
      try {
        await client.send(
          new GetSecretValueCommand({ SecretId: id, VersionId: token, VersionStage: 'AWSPENDING' }),
        );
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
        await client.send(
          new PutSecretValueCommand({
            SecretId: id,
            ClientRequestToken: token,
            SecretString: `rotated-${token.slice(0, 8)}`,
            VersionStages: ['AWSPENDING'],
          }),
        );
      }
    } else if (event.Step === 'testSecret' && failTest.times > 0) {
      failTest.times--;
      throw new Error('test connection refused');
    } else if (event.Step === 'finishSecret') {
      const stages =
        (await client.send(new DescribeSecretCommand({ SecretId: id }))).VersionIdsToStages ?? {};
      const current = Object.keys(stages).find((v) => stages[v]!.includes('AWSCURRENT'));
      if (current === token) return;
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: id,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: token,
          RemoveFromVersionId: current,
        }),
      );
    }
  };
}

beforeAll(async () => {
  local = await startLocal({ rotationAttempts: 2 });
  sm = local.sm();
});
afterAll(() => local.endpoint.close());

async function newSecret(): Promise<string> {
  const name = `rotating-${++n}`;
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'initial' }));
  return name;
}

describe('local RotateSecret', () => {
  it('runs the four steps in order through a registered handler and records the events', async () => {
    const steps: string[] = [];
    local.endpoint.registerRotationHandler(LAMBDA, genericRotation(sm, steps));
    const name = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: LAMBDA,
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
    await local.endpoint.rotationsIdle();
    expect(steps).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    const current = await sm.send(new GetSecretValueCommand({ SecretId: name }));
    expect(current).toMatchObject({ VersionId, SecretString: `rotated-${VersionId!.slice(0, 8)}` });
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.RotationEnabled).toBe(true);
    expect(described.LastRotatedDate).toBeInstanceOf(Date);
    expect(described.NextRotationDate!.getTime() - described.LastRotatedDate!.getTime()).toBe(
      30 * 86_400_000,
    );
    expect(local.endpoint.rotationEvents.filter((e) => e.versionId === VersionId).map((e) => e.type)).toEqual(
      ['RotationStarted', 'RotationSucceeded'],
    );
  });

  it('retries a failed rotation with the same token, as the service does', async () => {
    const steps: string[] = [];
    local.endpoint.registerRotationHandler(LAMBDA, genericRotation(sm, steps, { times: 1 }));
    const name = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA }),
    );
    await local.endpoint.rotationsIdle();
    expect(steps).toEqual([
      'createSecret',
      'setSecret',
      'testSecret',
      'createSecret',
      'setSecret',
      'testSecret',
      'finishSecret',
    ]);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).VersionId).toBe(VersionId);
  });

  it('records RotationFailed and leaves AWSCURRENT alone when every attempt fails', async () => {
    local.endpoint.registerRotationHandler(LAMBDA, genericRotation(sm, [], { times: 5 }));
    const name = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA }),
    );
    await local.endpoint.rotationsIdle();
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('initial');
    expect(local.endpoint.rotationEvents.filter((e) => e.versionId === VersionId).at(-1)).toMatchObject({
      type: 'RotationFailed',
      step: 'testSecret',
    });
    // As in the service, cancelling leaves the labels: the answer names the unfinished version.
    const cancelled = await sm.send(new CancelRotateSecretCommand({ SecretId: name }));
    expect(cancelled.VersionId).toBe(VersionId);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.RotationEnabled).toBe(false);
    expect(described.NextRotationDate).toBeUndefined();
    expect(described.VersionIdsToStages![VersionId!]).toEqual(['AWSPENDING']);
  });

  it('only tests the configuration when RotateImmediately is false', async () => {
    const steps: string[] = [];
    local.endpoint.registerRotationHandler(LAMBDA, genericRotation(sm, steps));
    const name = await newSecret();
    await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA, RotateImmediately: false }),
    );
    await local.endpoint.rotationsIdle();
    expect(steps).toEqual(['testSecret']);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.RotationEnabled).toBe(true);
    expect(Object.values(described.VersionIdsToStages ?? {})).toEqual([['AWSCURRENT']]);
  });
});

/** The error a call fails with, typed as the SDK throws it. */
async function failure(call: Promise<unknown>): Promise<SecretsManagerServiceException> {
  try {
    await call;
  } catch (error) {
    return error as SecretsManagerServiceException;
  }
  throw new Error('the call succeeded');
}

async function versionsOf(name: string) {
  const { Versions } = await sm.send(
    new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }),
  );
  return (Versions ?? []).map((v) => [v.VersionId, v.VersionStages ?? []]);
}

const eventsOf = async (name: string) => {
  const { ARN } = await sm.send(new DescribeSecretCommand({ SecretId: name }));
  return local.endpoint.rotationEvents.filter((e) => e.secretArn === ARN);
};

describe('RotateSecret with a function Secrets Manager cannot invoke', () => {
  it('fails as the service does, records RotationFailed, and creates nothing', async () => {
    const name = await newSecret();
    const before = await versionsOf(name);
    const token = 'a1b2c3d4-e5f6-4a7b-8c9d-000000000001';
    const error = await failure(
      sm.send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: UNREGISTERED,
          ClientRequestToken: token,
        }),
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(CANNOT_INVOKE);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(await versionsOf(name)).toEqual(before);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.RotationEnabled).toBeFalsy();
    expect(described.RotationLambdaARN).toBeUndefined();
    expect(described.RotationRules).toBeUndefined();
    expect(await eventsOf(name)).toEqual([
      expect.objectContaining({ type: 'RotationFailed', versionId: token, message: CANNOT_INVOKE }),
    ]);
  });

  it('keeps the configuration the secret had', async () => {
    local.endpoint.registerRotationHandler(LAMBDA, genericRotation(sm, []));
    const name = await newSecret();
    await sm.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: LAMBDA,
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
    await local.endpoint.rotationsIdle();
    const configured = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    const refused = await failure(
      sm.send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: UNREGISTERED,
          RotationRules: { AutomaticallyAfterDays: 7 },
        }),
      ),
    );
    expect(refused.name).toBe('AccessDeniedException');
    const after = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    for (const field of [
      'RotationEnabled',
      'RotationLambdaARN',
      'RotationRules',
      'LastRotatedDate',
      'NextRotationDate',
      'VersionIdsToStages',
    ] as const) {
      expect(after[field]).toEqual(configured[field]);
    }
  });
});

describe('RotateSecret checks every parameter before the function or anything else', () => {
  const calls: string[] = [];
  beforeAll(() => {
    local.endpoint.registerRotationHandler(LAMBDA, async (event) => {
      calls.push(event.Step);
    });
  });

  // Each names a function that cannot be invoked: the parameter error must come first.
  it.each<[string, Partial<RotateSecretCommandInput>, string[], RegExp | undefined]>([
    [
      'a token of 31 characters',
      { ClientRequestToken: 'x'.repeat(31) },
      ['ValidationException', 'InvalidParameterException'],
      undefined,
    ],
    [
      'a token of 65 characters',
      { ClientRequestToken: 'x'.repeat(65) },
      ['ValidationException', 'InvalidParameterException'],
      undefined,
    ],
    [
      'AutomaticallyAfterDays and ScheduleExpression',
      { RotationRules: { AutomaticallyAfterDays: 7, ScheduleExpression: 'rate(7 days)' } },
      ['InvalidParameterException'],
      /not both/,
    ],
    [
      'AutomaticallyAfterDays 0',
      { RotationRules: { AutomaticallyAfterDays: 0 } },
      ['ValidationException', 'InvalidParameterException'],
      undefined,
    ],
    [
      'AutomaticallyAfterDays 1001',
      { RotationRules: { AutomaticallyAfterDays: 1001 } },
      ['ValidationException', 'InvalidParameterException'],
      undefined,
    ],
    [
      'rate(3 hours)',
      { RotationRules: { ScheduleExpression: 'rate(3 hours)' } },
      ['InvalidParameterException'],
      /4 to 23 hours/,
    ],
    [
      'rate(1000 days)',
      { RotationRules: { ScheduleExpression: 'rate(1000 days)' } },
      ['InvalidParameterException'],
      /1 to 999 days/,
    ],
    [
      'rate(2 weeks)',
      { RotationRules: { ScheduleExpression: 'rate(2 weeks)' } },
      ['InvalidParameterException'],
      /rate\(value unit\)/,
    ],
    [
      'a cron() with minutes',
      { RotationRules: { ScheduleExpression: 'cron(30 16 * * ? *)' } },
      ['InvalidParameterException'],
      /Minutes field must be 0/,
    ],
    [
      'a cron() with a year',
      { RotationRules: { ScheduleExpression: 'cron(0 16 * * ? 2030)' } },
      ['InvalidParameterException'],
      /Year field must be \*/,
    ],
    [
      'a cron() with both day fields',
      { RotationRules: { ScheduleExpression: 'cron(0 16 1 * MON *)' } },
      ['InvalidParameterException'],
      /exactly one of Day-of-month and Day-of-week/,
    ],
    [
      'a cron() every two hours',
      { RotationRules: { ScheduleExpression: 'cron(0 */2 * * ? *)' } },
      ['InvalidParameterException'],
      /four hours apart/,
    ],
    [
      'a cron() with five fields',
      { RotationRules: { ScheduleExpression: 'cron(0 16 * * ?)' } },
      ['InvalidParameterException'],
      /six fields/,
    ],
    [
      'Duration 25h',
      { RotationRules: { ScheduleExpression: 'rate(1 day)', Duration: '25h' } },
      ['InvalidParameterException'],
      /1h to 24h/,
    ],
    [
      'a window longer than the interval',
      { RotationRules: { ScheduleExpression: 'rate(4 hours)', Duration: '5h' } },
      ['InvalidParameterException'],
      /next rotation window/,
    ],
    [
      'a window into the next day',
      { RotationRules: { ScheduleExpression: 'cron(0 16 ? * MON *)', Duration: '9h' } },
      ['InvalidParameterException'],
      /next UTC day/,
    ],
    [
      'a Duration without a schedule',
      { RotationRules: { Duration: '2h' } },
      ['InvalidParameterException'],
      /needs a ScheduleExpression/,
    ],
    [
      'RotateImmediately that is not a boolean',
      { RotateImmediately: 'yes' as unknown as boolean },
      ['ValidationException', 'InvalidParameterException'],
      undefined,
    ],
  ])('refuses %s', async (_what, input, types, message) => {
    const name = await newSecret();
    const before = await versionsOf(name);
    calls.length = 0;
    const error = await failure(
      sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: UNREGISTERED, ...input })),
    );
    expect(types).toContain(error.name);
    if (message !== undefined) expect(error.message).toMatch(message);
    expect(await versionsOf(name)).toEqual(before);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).RotationEnabled).toBeFalsy();
    await local.endpoint.rotationsIdle();
    expect(calls).toEqual([]);
    expect(await eventsOf(name)).toEqual([]);
  });

  it('refuses a token that is already a version of the secret, and changes nothing', async () => {
    const name = await newSecret();
    const current = (await sm.send(new GetSecretValueCommand({ SecretId: name }))).VersionId!;
    const before = await versionsOf(name);
    const error = await failure(
      sm.send(
        new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA, ClientRequestToken: current }),
      ),
    );
    expect(error.name).toBe('InvalidRequestException');
    expect(error.message).toContain(
      `You can't use ClientRequestToken ${current} because that value is already in use`,
    );
    expect(await versionsOf(name)).toEqual(before);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).RotationEnabled).toBeFalsy();
  });

  it('accepts the pending version as the token: that rotation is attempted again', async () => {
    local.endpoint.registerRotationHandler(LAMBDA, genericRotation(sm, [], { times: 2 }));
    const name = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA }),
    );
    await local.endpoint.rotationsIdle();
    const again = await sm.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: VersionId }));
    expect(again.VersionId).toBe(VersionId);
    await local.endpoint.rotationsIdle();
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).VersionId).toBe(VersionId);
  });

  it('accepts the documented schedules and windows', async () => {
    local.endpoint.registerRotationHandler(LAMBDA, genericRotation(sm, []));
    for (const rules of [
      { ScheduleExpression: 'rate(4 hours)', Duration: '4h' },
      { ScheduleExpression: 'rate(999 days)' },
      { ScheduleExpression: 'cron(0 16 1,15 * ? *)', Duration: '2h' },
      { ScheduleExpression: 'cron(0 4/12 * * ? *)', Duration: '3h' },
      { ScheduleExpression: 'cron(0 0 ? * SUN#1 *)' },
      { ScheduleExpression: 'cron(0 16 L * ? *)' },
      { ScheduleExpression: 'cron(0 8 ? JAN-JUN,DEC 6L *)' },
      { AutomaticallyAfterDays: 1000 },
    ]) {
      const name = await newSecret();
      await sm.send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: LAMBDA,
          RotationRules: rules,
          RotateImmediately: false,
        }),
      );
      expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).RotationRules).toEqual(rules);
    }
    await local.endpoint.rotationsIdle();
  });
});

describe('rotation schedules', () => {
  const start = Date.UTC(2024, 0, 10, 12, 0, 0);
  let clock = start;
  let timed: LocalFixture;
  let client: SecretsManagerClient;
  beforeAll(async () => {
    timed = await startLocal({ now: () => clock });
    client = timed.sm();
    timed.endpoint.registerRotationHandler(LAMBDA, genericRotation(client, []));
  });
  afterAll(() => timed.endpoint.close());

  it.each([
    ['rate(6 hours)', Date.UTC(2024, 0, 10, 18, 0, 0)],
    ['rate(10 days)', Date.UTC(2024, 0, 20, 12, 0, 0)],
    ['cron(0 16 1,15 * ? *)', Date.UTC(2024, 0, 15, 16, 0, 0)],
    ['cron(0 4/12 * * ? *)', Date.UTC(2024, 0, 10, 16, 0, 0)],
    ['cron(0 9 ? * MON#2 *)', Date.UTC(2024, 1, 12, 9, 0, 0)],
    ['cron(0 23 L FEB ? *)', Date.UTC(2024, 1, 29, 23, 0, 0)],
  ])('schedules the next rotation of %s from the last one', async (expression, next) => {
    clock = start;
    const name = `scheduled-${++n}`;
    await client.send(new CreateSecretCommand({ Name: name, SecretString: 'initial' }));
    await client.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: LAMBDA,
        RotationRules: { ScheduleExpression: expression },
      }),
    );
    await timed.endpoint.rotationsIdle();
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.LastRotatedDate?.getTime()).toBe(start);
    expect(described.NextRotationDate?.getTime()).toBe(next);
  });

  it('schedules a configuration that only tested well from now, and forgets it on cancel', async () => {
    clock = start;
    const name = `scheduled-${++n}`;
    await client.send(new CreateSecretCommand({ Name: name, SecretString: 'initial' }));
    await client.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: LAMBDA,
        RotationRules: { AutomaticallyAfterDays: 7 },
        RotateImmediately: false,
      }),
    );
    await timed.endpoint.rotationsIdle();
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.LastRotatedDate).toBeUndefined();
    expect(described.NextRotationDate?.getTime()).toBe(start + 7 * 86_400_000);
    await client.send(new CancelRotateSecretCommand({ SecretId: name }));
    expect(
      (await client.send(new DescribeSecretCommand({ SecretId: name }))).NextRotationDate,
    ).toBeUndefined();
  });
});

describe('CancelRotateSecret', () => {
  it('stops a rotation in progress before its next step, without retrying it', async () => {
    const steps: string[] = [];
    let release: () => void = () => undefined;
    const inSetSecret = new Promise<void>((entered) => {
      local.endpoint.registerRotationHandler(LAMBDA, async (event) => {
        steps.push(event.Step);
        if (event.Step === 'setSecret') {
          entered();
          await new Promise<void>((resolve) => (release = resolve));
        }
      });
    });
    const name = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA }),
    );
    await inSetSecret;
    const cancelled = await sm.send(new CancelRotateSecretCommand({ SecretId: name }));
    expect(cancelled.VersionId).toBe(VersionId);
    release();
    await local.endpoint.rotationsIdle();
    expect(steps).toEqual(['createSecret', 'setSecret']);
    expect((await eventsOf(name)).at(-1)).toMatchObject({
      type: 'RotationFailed',
      message: 'The rotation was cancelled.',
    });
  });

  it('leaves AWSPENDING, so a new rotation is refused until the caller removes it', async () => {
    local.endpoint.registerRotationHandler(LAMBDA, genericRotation(sm, [], { times: 5 }));
    const name = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA }),
    );
    await local.endpoint.rotationsIdle();
    await sm.send(new CancelRotateSecretCommand({ SecretId: name }));
    local.endpoint.registerRotationHandler(LAMBDA, genericRotation(sm, []));
    const refused = await failure(sm.send(new RotateSecretCommand({ SecretId: name })));
    expect(refused.name).toBe('InvalidRequestException');
    expect(refused.message).toBe("A previous rotation isn't complete. That rotation will be reattempted.");
    await local.endpoint.rotationsIdle();
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).RotationEnabled).toBe(false);
    // The clean-up the service asks for, then a new rotation with a new version.
    await sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: VersionId,
      }),
    );
    const { VersionId: next } = await sm.send(new RotateSecretCommand({ SecretId: name }));
    await local.endpoint.rotationsIdle();
    expect(next).not.toBe(VersionId);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).VersionId).toBe(next);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).RotationEnabled).toBe(true);
  });

  it('lets the caller attempt the cancelled rotation again by its token, which turns rotation back on', async () => {
    local.endpoint.registerRotationHandler(LAMBDA, genericRotation(sm, [], { times: 5 }));
    const name = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA }),
    );
    await local.endpoint.rotationsIdle();
    await sm.send(new CancelRotateSecretCommand({ SecretId: name }));
    local.endpoint.registerRotationHandler(LAMBDA, genericRotation(sm, []));
    await sm.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: VersionId }));
    await local.endpoint.rotationsIdle();
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).VersionId).toBe(VersionId);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).RotationEnabled).toBe(true);
  });
});
