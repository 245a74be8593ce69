import {
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeyPoliciesCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  type CreateKeyCommandInput,
  type Tag,
} from '@aws-sdk/client-kms';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

let local: LocalFixture;
let kms: KMSClient;
let n = 0;

beforeAll(async () => {
  local = await startLocal();
  kms = local.kms();
});
afterAll(() => local.endpoint.close());

async function newKey(input: CreateKeyCommandInput = {}): Promise<string> {
  return (await kms.send(new CreateKeyCommand(input))).KeyMetadata!.KeyId!;
}

const tagsOf = async (keyId: string) => (await kms.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags;
const policyOf = async (keyId: string) =>
  JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy!);

describe('KMS aliases', () => {
  it('moves an alias to another key of the same kind with UpdateAlias', async () => {
    const [a, b] = [await newKey(), await newKey()];
    const alias = `alias/moving-${++n}`;
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: a }));
    await kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: b }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata!.KeyId).toBe(b);
  });

  it('refuses to move an alias to a key of another kind or usage', async () => {
    const symmetric = await newKey();
    const hmac = await newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const alias = `alias/kind-${++n}`;
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: symmetric }));
    await expect(
      kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: hmac })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('refuses a second alias of the same name with AlreadyExistsException', async () => {
    const keyId = await newKey();
    const alias = `alias/twice-${++n}`;
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
    await expect(
      kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId })),
    ).rejects.toMatchObject({
      name: 'AlreadyExistsException',
    });
  });

  it.each([
    ['alias/aws/mine', 'InvalidAliasNameException'],
    ['not-an-alias', 'InvalidAliasNameException'],
    ['alias/has:colon', 'InvalidAliasNameException'],
    ['alias/has space', 'ValidationException'],
  ])('refuses the alias name %s with %s', async (name, type) => {
    const keyId = await newKey();
    await expect(
      kms.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: keyId })),
    ).rejects.toMatchObject({
      name: type,
    });
  });

  it('takes a key id or key ARN as TargetKeyId, never an alias', async () => {
    const keyId = await newKey();
    const first = `alias/first-${++n}`;
    await kms.send(new CreateAliasCommand({ AliasName: first, TargetKeyId: keyId }));
    await expect(
      kms.send(new CreateAliasCommand({ AliasName: `alias/second-${n}`, TargetKeyId: first })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
    await kms.send(
      new CreateAliasCommand({
        AliasName: `alias/third-${n}`,
        TargetKeyId: `arn:aws:kms:us-east-1:000000000000:key/${keyId}`,
      }),
    );
  });

  it('refuses an alias for a key pending deletion with KMSInvalidStateException', async () => {
    const keyId = await newKey();
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId }));
    await expect(
      kms.send(new CreateAliasCommand({ AliasName: `alias/late-${++n}`, TargetKeyId: keyId })),
    ).rejects.toMatchObject({ name: 'KMSInvalidStateException' });
  });

  it('deletes aliases, and answers NotFoundException for one that does not exist', async () => {
    const keyId = await newKey();
    const alias = `alias/gone-${++n}`;
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
    await kms.send(new DeleteAliasCommand({ AliasName: alias }));
    await expect(kms.send(new DescribeKeyCommand({ KeyId: alias }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    await expect(kms.send(new DeleteAliasCommand({ AliasName: alias }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });

  it('pages ListAliases, AWS managed aliases included, and filters by key', async () => {
    const keyId = await newKey();
    const names = [`alias/page-${++n}-a`, `alias/page-${n}-b`, `alias/page-${n}-c`];
    for (const name of names) await kms.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: keyId }));
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await kms.send(
        new ListAliasesCommand({ Limit: 2, ...(marker ? { Marker: marker } : {}) }),
      );
      seen.push(...page.Aliases!.map((a) => a.AliasName!));
      marker = page.NextMarker;
    } while (marker !== undefined);
    expect(seen).toEqual(expect.arrayContaining([...names, 'alias/aws/secretsmanager']));
    expect(new Set(seen).size).toBe(seen.length);
    const { Aliases } = await kms.send(new ListAliasesCommand({ KeyId: keyId }));
    expect(Aliases!.map((a) => a.AliasName)).toEqual(names);
    expect(Aliases![0]).toMatchObject({ TargetKeyId: keyId, CreationDate: expect.any(Date) });
  });

  it('refuses a ListAliases Limit over 100', async () => {
    await expect(kms.send(new ListAliasesCommand({ Limit: 101 }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('KMS tags', () => {
  it('adds, replaces and removes tags', async () => {
    const keyId = await newKey({ Tags: [{ TagKey: 'team', TagValue: 'core' }] });
    await kms.send(
      new TagResourceCommand({
        KeyId: keyId,
        Tags: [
          { TagKey: 'team', TagValue: 'payments' },
          { TagKey: 'env', TagValue: '' },
        ],
      }),
    );
    expect(await tagsOf(keyId)).toEqual([
      { TagKey: 'env', TagValue: '' },
      { TagKey: 'team', TagValue: 'payments' },
    ]);
    await kms.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: ['team', 'absent'] }));
    expect(await tagsOf(keyId)).toEqual([{ TagKey: 'env', TagValue: '' }]);
  });

  it('allows 50 tags per key, then TagException', async () => {
    const keyId = await newKey();
    const tags = (from: number, count: number): Tag[] =>
      Array.from({ length: count }, (_, i) => ({ TagKey: `k${from + i}`, TagValue: 'v' }));
    await kms.send(new TagResourceCommand({ KeyId: keyId, Tags: tags(0, 50) }));
    await expect(kms.send(new TagResourceCommand({ KeyId: keyId, Tags: tags(50, 1) }))).rejects.toMatchObject(
      {
        name: 'TagException',
      },
    );
    expect(await tagsOf(keyId)).toHaveLength(50);
  });

  it('checks tag key and value lengths', async () => {
    const keyId = await newKey();
    for (const tag of [
      { TagKey: '', TagValue: 'v' },
      { TagKey: 'k'.repeat(129), TagValue: 'v' },
      { TagKey: 'k', TagValue: 'v'.repeat(257) },
    ]) {
      await expect(kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [tag] }))).rejects.toMatchObject({
        name: 'ValidationException',
      });
    }
    await kms.send(
      new TagResourceCommand({
        KeyId: keyId,
        Tags: [{ TagKey: 'k'.repeat(128), TagValue: 'v'.repeat(256) }],
      }),
    );
  });

  it('refuses the reserved aws: prefix with TagException', async () => {
    const keyId = await newKey();
    await expect(
      kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'AWS:x', TagValue: 'v' }] })),
    ).rejects.toMatchObject({ name: 'TagException' });
  });

  it('pages ListResourceTags, and refuses a Limit over 50', async () => {
    const keyId = await newKey({ Tags: [1, 2, 3].map((i) => ({ TagKey: `t${i}`, TagValue: `${i}` })) });
    const first = await kms.send(new ListResourceTagsCommand({ KeyId: keyId, Limit: 2 }));
    expect(first).toMatchObject({ Truncated: true, Tags: [{ TagKey: 't1' }, { TagKey: 't2' }] });
    const rest = await kms.send(new ListResourceTagsCommand({ KeyId: keyId, Marker: first.NextMarker! }));
    expect(rest).toMatchObject({ Truncated: false, Tags: [{ TagKey: 't3' }] });
    await expect(kms.send(new ListResourceTagsCommand({ KeyId: keyId, Limit: 51 }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('KMS key policies', () => {
  const policy = (sid: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }],
    });

  it('attaches the default key policy to a key created without one', async () => {
    const keyId = await newKey();
    expect(await policyOf(keyId)).toEqual({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::000000000000:root' },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
    expect((await kms.send(new ListKeyPoliciesCommand({ KeyId: keyId }))).PolicyNames).toEqual(['default']);
  });

  it('stores the policy CreateKey and PutKeyPolicy are given', async () => {
    const keyId = await newKey({ Policy: policy('created') });
    expect((await policyOf(keyId)).Statement[0].Sid).toBe('created');
    await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: policy('put') }));
    expect((await policyOf(keyId)).Statement[0].Sid).toBe('put');
  });

  it.each([
    ['not JSON', '{"Version": '],
    ['without a Statement', JSON.stringify({ Version: '2012-10-17' })],
    [
      'with a statement without a principal',
      JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*' }] }),
    ],
  ])('refuses a policy %s with MalformedPolicyDocumentException', async (_what, document) => {
    const keyId = await newKey();
    await expect(kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: document }))).rejects.toMatchObject(
      {
        name: 'MalformedPolicyDocumentException',
      },
    );
    expect((await policyOf(keyId)).Id).toBe('key-default-1');
  });

  it('knows only the policy name default', async () => {
    const keyId = await newKey();
    await expect(
      kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'other' })),
    ).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });
});
