import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { SecretsClient } from '../../../../lib/client';
import { inject, refresh, status } from '../../../../lib/injection/workloads';
import type { EcsServiceTarget } from '../../../../lib/injection/workloads';
import { FakeEcs, ecsRequests, isEcsWrite } from './fake-ecs';
import { PLANTED, exposed, workloadFixture, type WorkloadFixture } from './workload-fixture';

// SSM SecureString parameters as workload references: ECS reads them by their parameter ARN
// at task start, as it reads secrets; keystage resolves them with DescribeParameters, so no
// value (not even an encrypted one) is ever read.

const target: EcsServiceTarget = { kind: 'ecs', cluster: 'prod', service: 'billing-api' };
const PASSWORD = '/prod/billing/db_password';
let f: WorkloadFixture;
let client: SecretsClient;
let parameterArn: string;

async function putParameter(name: string, value: string, type: 'String' | 'SecureString'): Promise<void> {
  await f.local
    .ssm()
    .send(new PutParameterCommand({ Name: name, Value: value, Type: type, Overwrite: true }));
}

beforeAll(async () => {
  f = await workloadFixture();
  client = new SecretsClient({
    secretsManager: f.local.sm(),
    kms: f.local.kms(),
    ssm: f.local.ssm(),
    audit: f.capture.audit,
    logger: f.capture.logger,
    cache: false,
  });
  await putParameter(PASSWORD, PLANTED, 'SecureString');
  await putParameter('/prod/billing/region', 'eu-west-1', 'String');
  parameterArn = (await client.describeParameter(`ssm:${PASSWORD}`)).arn;
});
afterAll(async () => {
  client.close();
  await f.close();
});
let model: FakeEcs;
beforeEach(() => {
  model = new FakeEcs().install();
});

describe('describeParameter', () => {
  it("answers a parameter's metadata, audited as a metadata read, never its value", async () => {
    const summary = await client.describeParameter(`ssm:${PASSWORD}`);

    expect(summary).toMatchObject({
      id: `ssm:${PASSWORD}`,
      name: PASSWORD,
      arn: expect.stringMatching(/^arn:aws:ssm:us-east-1:\d{12}:parameter\/prod\/billing\/db_password$/),
      type: 'SecureString',
      version: 1,
    });
    expect(f.capture.events.at(-1)).toMatchObject({
      action: 'describeParameter',
      event_type: 'secret_metadata',
      secret_name: `ssm:${PASSWORD}`,
      success: true,
    });
    expect(exposed(f, summary)).not.toContain(PLANTED);
  });

  it('says which parameter does not exist', async () => {
    await expect(client.describeParameter('ssm:/prod/billing/nothing')).rejects.toMatchObject({
      code: 'SECRET_NOT_FOUND',
      message: expect.stringContaining('/prod/billing/nothing'),
    });
  });

  it('refuses what is not an ssm: id, and the Secrets Manager reference path', async () => {
    await expect(client.describeParameter('prod/billing/db')).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
    await expect(
      client.describeParameter('ssm:/aws/reference/secretsmanager/prod/billing/db'),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('describe the secret'),
    });
  });
});

describe('inject (ECS) with an SSM SecureString', () => {
  it('references the parameter by its ARN next to a secret, and status follows its version', async () => {
    const result = await inject(
      client,
      {
        target,
        id: 'billing-secrets',
        mappings: [
          { name: 'DB_PASSWORD', secret: `ssm:${PASSWORD}` },
          { name: 'STRIPE_KEY', secret: 'prod/billing/stripe' },
        ],
      },
      { ecs: f.ecs },
    );

    const registered = ecsRequests().find((r) => r.command === 'RegisterTaskDefinition')!.input as {
      containerDefinitions: Array<{ secrets: unknown }>;
    };
    expect(registered.containerDefinitions[0]!.secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: parameterArn },
      { name: 'STRIPE_KEY', valueFrom: f.arns.stripe },
    ]);
    expect(result.references[0]).toEqual({
      name: 'DB_PASSWORD',
      secretArn: parameterArn,
      jsonKey: undefined,
      reference: parameterArn,
    });
    model.settle();

    const before = await status(client, { target }, { ecs: f.ecs });
    expect(before.inSync).toBe(true);
    expect(before.secrets.find((s) => s.secretArn === parameterArn)).toEqual({
      secretArn: parameterArn,
      secretName: PASSWORD,
      currentVersionId: '1',
      rotatedSinceDeployment: false,
    });

    await putParameter(PASSWORD, `${PLANTED}-2`, 'SecureString');
    const changed = await status(client, { target }, { ecs: f.ecs });
    expect(changed.needsRefresh).toBe(true);
    expect(changed.secrets.find((s) => s.secretArn === parameterArn)).toMatchObject({
      currentVersionId: '2',
      rotatedSinceDeployment: true,
    });

    const refreshed = await refresh(client, { target }, { ecs: f.ecs });
    expect(refreshed.secrets.every((s) => s.rotatedSinceDeployment === false)).toBe(true);
    expect((await status(client, { target }, { ecs: f.ecs })).needsRefresh).toBe(false);
    expect(exposed(f, result, before, changed, refreshed, ecsRequests())).not.toContain(PLANTED);
  });

  it('refuses a String parameter before any ECS write: it is stored unencrypted', async () => {
    await expect(
      inject(
        client,
        { target, mappings: [{ name: 'REGION_SECRET', secret: 'ssm:/prod/billing/region' }] },
        { ecs: f.ecs },
      ),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'mappings[0].secret',
      message: expect.stringContaining('make it a SecureString'),
    });
    expect(ecsRequests().filter((r) => isEcsWrite(r.command))).toEqual([]);
  });

  it('refuses a JSON key and the reference path, before any call', async () => {
    await expect(
      inject(
        client,
        { target, mappings: [{ name: 'DB_PASSWORD', secret: `ssm:${PASSWORD}`, jsonKey: 'password' }] },
        { ecs: f.ecs },
      ),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', field: 'mappings[0].jsonKey' });
    await expect(
      inject(
        client,
        {
          target,
          mappings: [{ name: 'DB', secret: 'ssm:/aws/reference/secretsmanager/prod/billing/db' }],
        },
        { ecs: f.ecs },
      ),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('map the secret itself'),
    });
    expect(ecsRequests()).toEqual([]);
  });
});
