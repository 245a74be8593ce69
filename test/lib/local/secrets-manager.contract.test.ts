import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  ReplicateSecretToRegionsCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { request } from 'node:http';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

let local: LocalFixture;
let sm: SecretsManagerClient;
let counter = 0;
const unique = (stem: string) => `${stem}-${++counter}`;
const token = (tag: string) => `${tag}-${'0'.repeat(40)}`.slice(0, 40);

beforeAll(async () => {
  local = await startLocal();
  sm = local.sm();
});
afterAll(() => local.endpoint.close());

async function stagesOf(id: string): Promise<Record<string, string[]>> {
  return (await sm.send(new DescribeSecretCommand({ SecretId: id }))).VersionIdsToStages ?? {};
}

describe('local Secrets Manager, through the real SDK', () => {
  it('gives ARNs the 6-character suffix and finds a secret by name, full ARN and partial ARN', async () => {
    const name = unique('app/db');
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
    expect(ARN).toMatch(
      new RegExp(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-[A-Za-z0-9]{6}$`),
    );
    for (const id of [name, ARN!, ARN!.slice(0, -7)]) {
      expect((await sm.send(new GetSecretValueCommand({ SecretId: id }))).SecretString).toBe('v1');
    }
  });

  it('raises the SDK exception classes for unknown secrets and existing names', async () => {
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const name = unique('dup');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    await expect(sm.send(new CreateSecretCommand({ Name: name, SecretString: 'y' }))).rejects.toBeInstanceOf(
      ResourceExistsException,
    );
  });

  it('ignores PutSecretValue with the same token and value, refuses a different value', async () => {
    const name = unique('idem');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
    const first = await sm.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: token('t') }),
    );
    const again = await sm.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: token('t') }),
    );
    expect(again.VersionId).toBe(first.VersionId);
    expect((await sm.send(new ListSecretVersionIdsCommand({ SecretId: name }))).Versions).toHaveLength(2);
    await expect(
      sm.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: 'other', ClientRequestToken: token('t') }),
      ),
    ).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it('moves AWSPREVIOUS with AWSCURRENT on a new version', async () => {
    const name = unique('stages');
    const { VersionId: v1 } = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
    const { VersionId: v2 } = await sm.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }),
    );
    expect(await stagesOf(name)).toEqual({ [v1!]: ['AWSPREVIOUS'], [v2!]: ['AWSCURRENT'] });
    expect(
      (await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' })))
        .SecretString,
    ).toBe('v1');
  });

  it('makes UpdateSecretVersionStage a compare-and-swap on RemoveFromVersionId', async () => {
    const name = unique('cas');
    const { VersionId: v1 } = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
    const { VersionId: v2 } = await sm.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }),
    );
    const move = (remove: string | undefined) =>
      sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: v1,
          ...(remove === undefined ? {} : { RemoveFromVersionId: remove }),
        }),
      );
    await expect(move(v1)).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(move(undefined)).rejects.toBeInstanceOf(InvalidParameterException);
    expect(await stagesOf(name)).toEqual({ [v1!]: ['AWSPREVIOUS'], [v2!]: ['AWSCURRENT'] });
    await move(v2);
    expect(await stagesOf(name)).toEqual({ [v1!]: ['AWSCURRENT'], [v2!]: ['AWSPREVIOUS'] });
  });

  it('creates the empty AWSPENDING placeholder on RotateSecret and refuses a second rotation', async () => {
    const name = unique('rotate');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
    const lambda = 'arn:aws:lambda:us-east-1:000000000000:function:always-fails';
    // A function that fails every step: the rotation stays unfinished.
    local.endpoint.registerRotationHandler(lambda, () => Promise.reject(new Error('step failed')));
    const { VersionId } = await sm.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: lambda,
        ClientRequestToken: token('rot'),
      }),
    );
    expect(VersionId).toBe(token('rot'));
    await expect(
      sm.send(new GetSecretValueCommand({ SecretId: name, VersionId, VersionStage: 'AWSPENDING' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await local.endpoint.rotationsIdle();
    const types = () =>
      local.endpoint.rotationEvents.filter((e) => e.versionId === VersionId).map((e) => e.type);
    expect(types()).toContain('RotationFailed');
    const runs = types().filter((type) => type === 'RotationStarted').length;
    // The next RotateSecret is refused, and the unfinished rotation is attempted again.
    await expect(sm.send(new RotateSecretCommand({ SecretId: name }))).rejects.toThrow(
      "A previous rotation isn't complete",
    );
    await local.endpoint.rotationsIdle();
    expect(types().filter((type) => type === 'RotationStarted').length).toBeGreaterThan(runs);
    expect(types().at(-1)).toBe('RotationFailed');
  });

  it('refuses reads and writes of a secret scheduled for deletion until it is restored', async () => {
    const name = unique('deleted');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
    const { DeletionDate } = await sm.send(
      new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }),
    );
    expect(DeletionDate!.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    await expect(sm.send(new GetSecretValueCommand({ SecretId: name }))).rejects.toThrow(
      /marked for deletion/,
    );
    await expect(
      sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'x' })),
    ).rejects.toBeInstanceOf(InvalidRequestException);
    await sm.send(new RestoreSecretCommand({ SecretId: name }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('v1');
  });

  it("enforces the 65,536-byte limit: the model's length, then the UTF-8 size", async () => {
    const name = unique('big');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x'.repeat(65_536) }));
    await expect(
      sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'x'.repeat(65_537) })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    // 32,769 two-byte characters are within the model's length but over 65,536 bytes.
    await expect(
      sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'é'.repeat(32_769) })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('keeps at most 100 unlabelled versions', async () => {
    const name = unique('prune');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v0' }));
    for (let i = 1; i <= 105; i++)
      await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: `v${i}` }));
    const ids: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await sm.send(
        new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true, NextToken }),
      );
      ids.push(...(page.Versions ?? []).map((v) => v.VersionId!));
      NextToken = page.NextToken;
    } while (NextToken !== undefined);
    // 106 versions were written: AWSCURRENT, AWSPREVIOUS and the newest 100 unlabelled ones remain.
    expect(ids).toHaveLength(102);
  });

  it('blocks reads when a resource policy denies GetSecretValue to everyone', async () => {
    const name = unique('denied');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
    };
    await sm.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: JSON.stringify(policy) }));
    await expect(sm.send(new GetSecretValueCommand({ SecretId: name }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    const batch = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: [name] }));
    expect(batch.Errors).toEqual([
      expect.objectContaining({ SecretId: name, ErrorCode: 'AccessDeniedException' }),
    ]);
  });

  it('answers BatchGetSecretValue with values and per-id errors', async () => {
    const name = unique('batch');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'b' }));
    const out = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: [name, 'missing'] }));
    expect(out.SecretValues?.map((v) => v.SecretString)).toEqual(['b']);
    expect(out.Errors?.map((e) => [e.SecretId, e.ErrorCode])).toEqual([
      ['missing', 'ResourceNotFoundException'],
    ]);
  });

  it('lists with filters and pagination', async () => {
    const prefix = unique('list');
    for (let i = 0; i < 5; i++) {
      await sm.send(
        new CreateSecretCommand({
          Name: `${prefix}/s${i}`,
          SecretString: 'x',
          Tags: [{ Key: 'team', Value: i % 2 ? 'odd' : 'even' }],
        }),
      );
    }
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await sm.send(
        new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 2, NextToken }),
      );
      names.push(...(page.SecretList ?? []).map((s) => s.Name!));
      NextToken = page.NextToken;
    } while (NextToken !== undefined);
    expect(names).toEqual([0, 1, 2, 3, 4].map((i) => `${prefix}/s${i}`));
    const odd = await sm.send(
      new ListSecretsCommand({
        Filters: [
          { Key: 'name', Values: [prefix] },
          { Key: 'tag-value', Values: ['odd'] },
        ],
      }),
    );
    expect(odd.SecretList?.map((s) => s.Name)).toEqual([`${prefix}/s1`, `${prefix}/s3`]);
  });

  it('makes replicas readable in the replica region only', async () => {
    const name = unique('replicated');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'r' }));
    const eu = local.sm('eu-west-1');
    await expect(eu.send(new GetSecretValueCommand({ SecretId: name }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await sm.send(
      new ReplicateSecretToRegionsCommand({ SecretId: name, AddReplicaRegions: [{ Region: 'eu-west-1' }] }),
    );
    const read = await eu.send(new GetSecretValueCommand({ SecretId: name }));
    expect(read.SecretString).toBe('r');
    expect(read.ARN).toContain(':eu-west-1:');
    await expect(
      eu.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'a', Value: 'b' }] })),
    ).rejects.toThrow(
      new InvalidParameterException({
        message:
          "Operation not permitted on a replica secret. Call must be made in primary secret's region (us-east-1).",
        $metadata: {},
      }),
    );
  });

  it('generates random passwords with the requested policy', async () => {
    const { RandomPassword } = await sm.send(
      new GetRandomPasswordCommand({
        PasswordLength: 40,
        ExcludePunctuation: true,
        ExcludeCharacters: 'abc',
      }),
    );
    expect(RandomPassword).toMatch(/^[d-zA-Z0-9]{40}$/);
  });

  it('rejects unsigned requests', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        local.endpoint.url,
        {
          method: 'POST',
          headers: {
            'x-amz-target': 'secretsmanager.ListSecrets',
            'content-type': 'application/x-amz-json-1.1',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(403);
  });
});
