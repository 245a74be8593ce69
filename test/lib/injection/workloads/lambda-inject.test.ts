import { DescribeParametersCommand } from '@aws-sdk/client-ssm';
import { SecretsClient } from '../../../../lib/client';
import { inject, refresh, revoke, status } from '../../../../lib/injection/workloads';
import type { LambdaFunctionTarget } from '../../../../lib/injection/workloads';
import {
  EXTENSION_ARM,
  EXTENSION_X86,
  FUNCTION_ARN,
  FakeLambda,
  OTHER_LAYER,
  isLambdaWrite,
  lambdaError,
  lambdaMock,
  lambdaRequests,
  ssmMock,
} from './fake-lambda';
import { PLANTED, exposed, workloadFixture, type WorkloadFixture } from './workload-fixture';

const target: LambdaFunctionTarget = { kind: 'lambda', functionName: 'billing-worker' };
const HASH = /^[A-Za-z0-9_-]+$/;
let f: WorkloadFixture;
let model: FakeLambda;

beforeAll(async () => {
  f = await workloadFixture();
});
afterAll(() => f.close());
beforeEach(() => {
  model = new FakeLambda().install();
  f.smCommands.length = 0;
});

const mappings = () => [
  { name: 'DB_SECRET_ARN', secret: 'prod/billing/db' },
  { name: 'STRIPE_SECRET_ARN', secret: 'prod/billing/stripe' },
];
const options = () => ({ lambda: f.lambda, ssm: f.ssm, clock: f.clock, pollIntervalMs: 500 });
const reset = () => {
  lambdaMock.resetHistory();
  ssmMock.resetHistory();
};

describe('inject (Lambda)', () => {
  it("puts each secret's ARN (never a value) in the environment, adds the extension layer from SSM, waits for the update, and tags the function", async () => {
    const result = await inject(
      f.client,
      { target, mappings: mappings(), id: 'billing-worker-secrets' },
      options(),
    );

    expect(lambdaRequests()).toEqual([
      { command: 'GetFunctionConfiguration', input: { FunctionName: 'billing-worker' } },
      { command: 'ListTags', input: { Resource: FUNCTION_ARN } },
      {
        command: 'GetParameter',
        input: { Name: '/aws/service/aws-parameters-and-secrets-lambda-extension/x86/latest' },
      },
      // Marked first: a run that stops after adding the layer still knows it is keystage's to remove.
      {
        command: 'TagResource',
        input: { Resource: FUNCTION_ARN, Tags: { 'keystage:injection:layer': 'added' } },
      },
      {
        command: 'UpdateFunctionConfiguration',
        input: {
          FunctionName: FUNCTION_ARN,
          Environment: {
            Variables: {
              LOG_LEVEL: 'info',
              QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/billing',
              DB_SECRET_ARN: f.arns.db,
              STRIPE_SECRET_ARN: f.arns.stripe,
            },
          },
          Layers: [OTHER_LAYER, EXTENSION_X86],
          RevisionId: 'rev-1',
        },
      },
      { command: 'GetFunctionConfiguration', input: { FunctionName: FUNCTION_ARN } },
      { command: 'GetFunctionConfiguration', input: { FunctionName: FUNCTION_ARN } },
      {
        command: 'TagResource',
        input: {
          Resource: FUNCTION_ARN,
          Tags: {
            'keystage:injection': 'billing-worker-secrets',
            'keystage:injection:digest': expect.stringMatching(HASH),
            'keystage:injection:names': '1 DB_SECRET_ARN STRIPE_SECRET_ARN',
            'keystage:injection:versions': expect.stringMatching(/^1 [\w-]{6}=[\w-]{8} [\w-]{6}=[\w-]{8}$/),
          },
        },
      },
    ]);
    expect(f.clock.sleeps).toEqual([500]);
    expect(result).toEqual({
      kind: 'lambda',
      job: { id: 'billing-worker-secrets', target },
      changed: true,
      references: [
        { name: 'DB_SECRET_ARN', secretArn: f.arns.db, jsonKey: undefined, reference: f.arns.db },
        { name: 'STRIPE_SECRET_ARN', secretArn: f.arns.stripe, jsonKey: undefined, reference: f.arns.stripe },
      ],
      environment: [],
      functionArn: FUNCTION_ARN,
      updated: true,
      extensionLayerArn: EXTENSION_X86,
    });
    expect(model.config.LastUpdateStatus).toBe('Successful');
    expect(exposed(f, result, lambdaRequests())).not.toContain(PLANTED);
  });

  it('writes nothing when run again with the same mappings', async () => {
    await inject(f.client, { target, mappings: mappings() }, options());
    const before = model.snapshot();
    const writes = model.writes;
    reset();

    const again = await inject(f.client, { target, mappings: mappings() }, options());

    expect(again).toMatchObject({ changed: false, updated: false, extensionLayerArn: EXTENSION_X86 });
    expect(lambdaRequests().map((r) => r.command)).toEqual(['GetFunctionConfiguration', 'ListTags']);
    expect(model.writes).toBe(writes);
    expect(model.snapshot()).toEqual(before);
  });

  it('uses the arm64 parameter for an arm64 function', async () => {
    model = new FakeLambda({ architecture: 'arm64' }).install();
    const result = await inject(f.client, { target, mappings: mappings() }, options());
    expect(lambdaRequests().find((r) => r.command === 'GetParameter')!.input).toEqual({
      Name: '/aws/service/aws-parameters-and-secrets-lambda-extension/arm64/latest',
    });
    expect(model.layers()).toEqual([OTHER_LAYER, EXTENSION_ARM]);
    expect(result.extensionLayerArn).toBe(EXTENSION_ARM);
  });

  it('keeps an extension layer the function already has, and does not remove it on revoke', async () => {
    const own = 'arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:11';
    model = new FakeLambda({ layers: [own, OTHER_LAYER] }).install();

    await inject(f.client, { target, mappings: mappings() }, options());
    expect(lambdaRequests().some((r) => r.command === 'GetParameter')).toBe(false);
    expect(model.layers()).toEqual([own, OTHER_LAYER]);
    expect(model.tags['keystage:injection:layer']).toBeUndefined();

    const revoked = await revoke(f.client, { target }, options());
    expect(revoked.extensionLayerRemoved).toBe(false);
    expect(model.layers()).toEqual([own, OTHER_LAYER]);
  });

  it('uses the layer given as extensionLayer without reading SSM', async () => {
    const mine = 'arn:aws:lambda:us-east-1:123456789012:layer:secrets-extension-copy:3';
    await inject(f.client, { target, mappings: mappings() }, { ...options(), extensionLayer: mine });
    expect(ssmMock.calls()).toHaveLength(0);
    expect(model.layers()).toEqual([OTHER_LAYER, mine]);
  });

  it('leaves layers alone with extensionLayer: false', async () => {
    await inject(f.client, { target, mappings: mappings() }, { ...options(), extensionLayer: false });
    const update = lambdaRequests().find((r) => r.command === 'UpdateFunctionConfiguration')!.input as Record<
      string,
      unknown
    >;
    expect(Object.keys(update).sort()).toEqual(['Environment', 'FunctionName', 'RevisionId']);
    expect(model.layers()).toEqual([OTHER_LAYER]);
  });

  it('refuses a container image function unless told the extension is built in', async () => {
    model = new FakeLambda({ packageType: 'Image', layers: [] }).install();
    const error = await inject(f.client, { target, mappings: mappings() }, options()).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'extensionLayer' });
    expect((error as Error).message).toContain('is a container image, and Lambda adds no layers to images');
    expect(model.writes).toBe(0);

    await inject(f.client, { target, mappings: mappings() }, { ...options(), extensionLayer: false });
    expect(model.variables().DB_SECRET_ARN).toBe(f.arns.db);
  });

  it("refuses a function at Lambda's layer limit", async () => {
    model = new FakeLambda({
      layers: [1, 2, 3, 4, 5].map((n) => `arn:aws:lambda:us-east-1:123456789012:layer:l${n}:1`),
    }).install();
    await expect(inject(f.client, { target, mappings: mappings() }, options())).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'target',
    });
    expect(model.writes).toBe(0);
  });

  it('waits for an update already in progress before changing anything', async () => {
    model.config = { ...model.config, LastUpdateStatus: 'InProgress' };
    let reads = 0;
    const original = model.getFunctionConfiguration.bind(model);
    model.getFunctionConfiguration = (input) => {
      if (++reads === 3) model.config = { ...model.config, LastUpdateStatus: 'Successful' };
      return original(input);
    };

    await inject(f.client, { target, mappings: mappings() }, options());

    const commands = lambdaRequests().map((r) => r.command);
    expect(commands.slice(0, 4)).toEqual([
      'GetFunctionConfiguration',
      'GetFunctionConfiguration',
      'GetFunctionConfiguration',
      'ListTags',
    ]);
    expect(f.clock.sleeps.slice(0, 2)).toEqual([500, 500]);
  });

  it('gives up waiting after waitTimeoutMs with a retryable error, having written nothing', async () => {
    model.config = { ...model.config, LastUpdateStatus: 'InProgress' };
    const error = await inject(
      f.client,
      { target, mappings: mappings() },
      { ...options(), waitTimeoutMs: 2_000 },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    expect((error as Error).message).toContain('still updating (LastUpdateStatus InProgress) after 2000 ms');
    expect(model.writes).toBe(0);
  });

  it('reports an update Lambda could not apply, without recording the job', async () => {
    model.failUpdate =
      'Layer version arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:18 does not exist.';
    const error = await inject(f.client, { target, mappings: mappings() }, options()).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'CONFLICT' });
    expect((error as Error).message).toContain(
      'Lambda could not apply the configuration of Lambda function "billing-worker" (InvalidConfiguration: Layer version',
    );
    expect(model.tags['keystage:injection']).toBeUndefined();
  });

  it('refuses to touch a function whose environment Lambda cannot decrypt', async () => {
    model.config = {
      ...model.config,
      Environment: {
        Error: {
          ErrorCode: 'AccessDeniedException',
          Message: 'Lambda was unable to decrypt the environment variables.',
        },
      },
    };
    const error = await inject(f.client, { target, mappings: mappings() }, options()).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'CONFLICT' });
    expect((error as Error).message).toContain('an update would replace every variable');
    expect(model.writes).toBe(0);
  });

  it('refuses a variable of the same name it did not set', async () => {
    const error = await inject(
      f.client,
      { target, mappings: [{ name: 'QUEUE_URL', secret: 'prod/billing/db' }] },
      options(),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFLICT' });
    expect(model.writes).toBe(0);
  });

  it('retries nothing itself when the function changed between read and update (RevisionId)', async () => {
    model.failOnce.set(
      'UpdateFunctionConfigurationCommand',
      lambdaError(
        'PreconditionFailedException',
        'The Revision Id provided does not match the latest Revision Id.',
        412,
      ),
    );
    const error = await inject(f.client, { target, mappings: mappings() }, options()).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'CONFLICT' });
    expect((error as Error).message).toMatch(
      /^UpdateFunctionConfiguration for Lambda function "billing-worker" failed: PreconditionFailedException/,
    );
    await inject(f.client, { target, mappings: mappings() }, options());
    expect(model.variables().DB_SECRET_ARN).toBe(f.arns.db);
  });

  it('says which function was not found', async () => {
    const error = await inject(
      f.client,
      { target: { kind: 'lambda', functionName: 'billing-worke' }, mappings: mappings() },
      options(),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'target' });
    expect((error as Error).message).toMatch(
      /^GetFunctionConfiguration for Lambda function "billing-worke" failed: ResourceNotFoundException/,
    );
  });

  it('finishes a run that stopped at any write when run again', async () => {
    const goal = new FakeLambda().install();
    await inject(f.client, { target, mappings: mappings(), id: 'j' }, options());
    const state = goal.snapshot();
    for (let n = 1; n <= goal.writes; n++) {
      model = new FakeLambda().install();
      model.failWrite = n;
      await expect(
        inject(f.client, { target, mappings: mappings(), id: 'j' }, options()),
      ).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      await inject(f.client, { target, mappings: mappings(), id: 'j' }, options());
      expect({ n, state: model.snapshot() }).toEqual({ n, state });
    }
  });

  it('revoke after a run that stopped once the layer was added removes that layer and the mark', async () => {
    model.failWrite = 3; // the mark and the update succeed; the record's TagResource fails
    await expect(inject(f.client, { target, mappings: mappings() }, options())).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
    expect(model.layers()).toEqual([OTHER_LAYER, EXTENSION_X86]);
    expect(model.tags).toEqual({ team: 'billing', 'keystage:injection:layer': 'added' });

    const result = await revoke(f.client, { target }, options());

    expect(result).toMatchObject({ job: undefined, changed: true, extensionLayerRemoved: true });
    expect(model.layers()).toEqual([OTHER_LAYER]);
    expect(model.tags).toEqual({ team: 'billing' });
  });
});

describe('status, refresh and revoke (Lambda)', () => {
  beforeEach(async () => {
    await inject(
      f.client,
      { target, mappings: mappings(), environment: { REGION_NAME: 'us-east-1' }, id: 'j' },
      options(),
    );
    reset();
  });

  it('status reads the record back and sees a rotation', async () => {
    expect(await status(f.client, { target }, options())).toMatchObject({
      kind: 'lambda',
      job: { id: 'j', target },
      inSync: true,
      functionArn: FUNCTION_ARN,
      state: 'Active',
      lastUpdateStatus: 'Successful',
      extensionLayerArn: EXTENSION_X86,
      environment: ['REGION_NAME'],
      needsRefresh: false,
      refreshedAt: undefined,
    });
    await f.rotate('db');
    const after = await status(f.client, { target }, options());
    expect(after.needsRefresh).toBe(true);
    expect(after.secrets.map((s) => s.rotatedSinceDeployment)).toEqual([true, false]);
  });

  it('refresh updates the configuration so new instances read again, and records the versions', async () => {
    await f.rotate('db');
    reset();
    f.clock.advance(60_000);

    const result = await refresh(f.client, { target }, options());

    const requests = lambdaRequests();
    expect(requests.map((r) => r.command)).toEqual([
      'GetFunctionConfiguration',
      'ListTags',
      'UpdateFunctionConfiguration',
      'GetFunctionConfiguration',
      'GetFunctionConfiguration',
      'TagResource',
    ]);
    const refreshedAt = new Date(f.clock.now() - 500).toISOString();
    expect(requests[2]!.input).toEqual({
      FunctionName: FUNCTION_ARN,
      Environment: { Variables: { ...model.variables(), KEYSTAGE_INJECTION_REFRESHED_AT: refreshedAt } },
      RevisionId: 'rev-2',
    });
    expect(Object.keys((requests[5]!.input as { Tags: object }).Tags)).toEqual([
      'keystage:injection:versions',
    ]);
    expect(result.secrets.map((s) => s.rotatedSinceDeployment)).toEqual([false, false]);
    expect(await status(f.client, { target }, options())).toMatchObject({
      needsRefresh: false,
      inSync: true,
      refreshedAt,
    });
  });

  it('inject after a refresh keeps the refresh marker and writes nothing', async () => {
    await refresh(f.client, { target }, options());
    const writes = model.writes;
    const again = await inject(
      f.client,
      { target, mappings: mappings(), environment: { REGION_NAME: 'us-east-1' } },
      options(),
    );
    expect(again.changed).toBe(false);
    expect(model.writes).toBe(writes);
  });

  it('revoke removes the variables, the marker and the layer it added, then the record', async () => {
    await refresh(f.client, { target }, options());
    reset();

    const result = await revoke(f.client, { target }, options());

    const requests = lambdaRequests();
    expect(requests.map((r) => r.command)).toEqual([
      'GetFunctionConfiguration',
      'ListTags',
      'UpdateFunctionConfiguration',
      'GetFunctionConfiguration',
      'GetFunctionConfiguration',
      'UntagResource',
    ]);
    expect(requests[2]!.input).toEqual({
      FunctionName: FUNCTION_ARN,
      Environment: {
        Variables: {
          LOG_LEVEL: 'info',
          QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/billing',
        },
      },
      Layers: [OTHER_LAYER],
      RevisionId: 'rev-3',
    });
    expect(requests[5]!.input).toEqual({
      Resource: FUNCTION_ARN,
      TagKeys: [
        'keystage:injection:layer',
        'keystage:injection',
        'keystage:injection:digest',
        'keystage:injection:names',
        'keystage:injection:versions',
      ],
    });
    expect(result).toEqual({
      kind: 'lambda',
      job: { id: 'j', target },
      changed: true,
      removed: ['DB_SECRET_ARN', 'STRIPE_SECRET_ARN', 'REGION_NAME'],
      taskDefinitionArn: undefined,
      extensionLayerRemoved: true,
    });
    expect(model.tags).toEqual({ team: 'billing' });
    expect(requests.some((r) => !isLambdaWrite(r.command) && r.command === 'GetParameter')).toBe(false);
  });
});

describe('inject (Lambda) with an SSM SecureString', () => {
  const PARAMETER_ARN = 'arn:aws:ssm:us-east-1:123456789012:parameter/prod/billing/db_password';
  const described = (version: number) => ({
    Parameters: [
      {
        Name: '/prod/billing/db_password',
        ARN: PARAMETER_ARN,
        Type: 'SecureString' as const,
        Version: version,
      },
    ],
  });

  it("puts the parameter's ARN in the environment, and status and refresh follow its version", async () => {
    const client = new SecretsClient({
      secretsManager: f.local.sm(),
      kms: f.local.kms(),
      ssm: f.ssm,
      cache: false,
    });
    try {
      ssmMock.on(DescribeParametersCommand).resolves(described(1));
      const result = await inject(
        client,
        { target, mappings: [{ name: 'DB_PASSWORD_ARN', secret: 'ssm:/prod/billing/db_password' }] },
        { ...options(), extensionLayer: EXTENSION_X86 },
      );
      expect(result.references).toEqual([
        { name: 'DB_PASSWORD_ARN', secretArn: PARAMETER_ARN, jsonKey: undefined, reference: PARAMETER_ARN },
      ]);
      expect(model.variables().DB_PASSWORD_ARN).toBe(PARAMETER_ARN);
      expect(ssmMock.commandCalls(DescribeParametersCommand)[0]!.args[0].input).toEqual({
        ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: ['/prod/billing/db_password'] }],
      });

      ssmMock.on(DescribeParametersCommand).resolves(described(2));
      const changed = await status(client, { target }, options());
      expect(changed.secrets).toEqual([
        {
          secretArn: PARAMETER_ARN,
          secretName: '/prod/billing/db_password',
          currentVersionId: '2',
          rotatedSinceDeployment: true,
        },
      ]);
      const refreshed = await refresh(client, { target }, options());
      expect(refreshed.secrets[0]!.rotatedSinceDeployment).toBe(false);
    } finally {
      client.close();
    }
  });
});
