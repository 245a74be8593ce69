import {
  DescribeParametersCommand,
  GetParametersByPathCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  paginateDescribeParameters,
  paginateGetParametersByPath,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

let local: LocalFixture;
let ssm: SSMClient;

/** Names under /app, and some that sort among them without being under it. */
const NAMES = [
  '/app/a',
  '/app/b',
  '/app/db/password',
  '/app/db/user',
  '/app/db/replica/host',
  '/app-other/x',
  '/app.x',
  '/apps/y',
  '/app/z',
  'root-name',
];

beforeAll(async () => {
  local = await startLocal();
  ssm = local.ssm();
  for (const Name of NAMES) {
    await ssm.send(
      new PutParameterCommand({
        Name,
        Value: `value of ${Name}`,
        Type: Name.includes('/db/') ? 'SecureString' : 'String',
        ...(Name === '/app/z' ? { Tags: [{ Key: 'team', Value: 'core' }] } : {}),
      }),
    );
  }
});
afterAll(() => local.endpoint.close());

async function byPath(input: ConstructorParameters<typeof GetParametersByPathCommand>[0]): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateGetParametersByPath({ client: ssm }, input)) {
    names.push(...(page.Parameters ?? []).map((p) => p.Name!));
  }
  return names;
}

describe('local SSM GetParametersByPath', () => {
  it('answers one level under the path, in name order, with or without a trailing slash', async () => {
    await expect(byPath({ Path: '/app' })).resolves.toEqual(['/app/a', '/app/b', '/app/z']);
    await expect(byPath({ Path: '/app/' })).resolves.toEqual(['/app/a', '/app/b', '/app/z']);
    await expect(byPath({ Path: '/app/db' })).resolves.toEqual(['/app/db/password', '/app/db/user']);
  });

  it('answers every level with Recursive', async () => {
    await expect(byPath({ Path: '/app', Recursive: true })).resolves.toEqual([
      '/app/a',
      '/app/b',
      '/app/db/password',
      '/app/db/replica/host',
      '/app/db/user',
      '/app/z',
    ]);
  });

  it('answers the root level for /, names without a leading slash included', async () => {
    await expect(byPath({ Path: '/' })).resolves.toEqual(['/app.x', 'root-name']);
  });

  it('decrypts SecureStrings only WithDecryption', async () => {
    const plain = await ssm.send(new GetParametersByPathCommand({ Path: '/app/db' }));
    expect(plain.Parameters?.[0]?.Value).not.toContain('value of');
    const decrypted = await ssm.send(
      new GetParametersByPathCommand({ Path: '/app/db', WithDecryption: true }),
    );
    expect(decrypted.Parameters?.map((p) => p.Value)).toEqual([
      'value of /app/db/password',
      'value of /app/db/user',
    ]);
  });

  it('pages with MaxResults and NextToken, neither repeating nor skipping a name', async () => {
    const first = await ssm.send(
      new GetParametersByPathCommand({ Path: '/app', Recursive: true, MaxResults: 4 }),
    );
    expect(first.Parameters).toHaveLength(4);
    expect(first.NextToken).toEqual(expect.any(String));
    const second = await ssm.send(
      new GetParametersByPathCommand({
        Path: '/app',
        Recursive: true,
        MaxResults: 4,
        NextToken: first.NextToken,
      }),
    );
    expect(second.Parameters?.map((p) => p.Name)).toEqual(['/app/db/user', '/app/z']);
    expect(second.NextToken).toBeUndefined();
    await expect(
      ssm.send(new GetParametersByPathCommand({ Path: '/other', NextToken: first.NextToken })),
    ).rejects.toMatchObject({ name: 'InvalidNextToken' });
  });

  it('bounds the work of one call: a page may hold no parameter and still a NextToken', async () => {
    const west = local.ssm('eu-west-2');
    for (let i = 0; i < 1001; i++) {
      await west.send(
        new PutParameterCommand({ Name: `/bulk/n${String(i).padStart(4, '0')}`, Value: 'v', Type: 'String' }),
      );
    }
    await west.send(new PutParameterCommand({ Name: '/bulk/secret', Value: 's', Type: 'SecureString' }));
    const filter = { Path: '/bulk', ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }] };
    const first = await west.send(new GetParametersByPathCommand(filter));
    expect(first.Parameters).toEqual([]);
    expect(first.NextToken).toEqual(expect.any(String));
    const second = await west.send(new GetParametersByPathCommand({ ...filter, NextToken: first.NextToken }));
    expect(second.Parameters?.map((p) => p.Name)).toEqual(['/bulk/secret']);
    expect(second.NextToken).toBeUndefined();
  });

  it('filters by Type and by Label, answering the labelled version', async () => {
    await expect(
      byPath({
        Path: '/app',
        Recursive: true,
        ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }],
      }),
    ).resolves.toEqual(['/app/db/password', '/app/db/replica/host', '/app/db/user']);
    await ssm.send(new PutParameterCommand({ Name: '/app/b', Value: 'b2', Overwrite: true }));
    await ssm.send(
      new LabelParameterVersionCommand({ Name: '/app/b', ParameterVersion: 1, Labels: ['release'] }),
    );
    const { Parameters } = await ssm.send(
      new GetParametersByPathCommand({
        Path: '/app',
        ParameterFilters: [{ Key: 'Label', Values: ['release'] }],
      }),
    );
    expect(Parameters?.map((p) => [p.Name, p.Version, p.Value])).toEqual([['/app/b', 1, 'value of /app/b']]);
  });

  it.each([
    ['a Name filter', { Key: 'Name', Values: ['/app/a'] }, 'InvalidFilterKey'],
    ['a tag filter', { Key: 'tag:team', Values: ['core'] }, 'InvalidFilterKey'],
    [
      'a Label filter with BeginsWith',
      { Key: 'Label', Option: 'BeginsWith', Values: ['r'] },
      'InvalidFilterOption',
    ],
    ['a Type filter of an unknown type', { Key: 'Type', Values: ['Binary'] }, 'InvalidFilterValue'],
  ])('refuses %s', async (_what, filter, type) => {
    await expect(
      ssm.send(new GetParametersByPathCommand({ Path: '/app', ParameterFilters: [filter] })),
    ).rejects.toMatchObject({ name: type });
  });

  it('refuses a path that is not one, or deeper than 15 levels', async () => {
    await expect(ssm.send(new GetParametersByPathCommand({ Path: 'app' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(
      ssm.send(
        new GetParametersByPathCommand({ Path: `/${Array.from({ length: 16 }, () => 'l').join('/')}` }),
      ),
    ).rejects.toMatchObject({ name: 'HierarchyLevelLimitExceededException' });
    await expect(
      ssm.send(new GetParametersByPathCommand({ Path: '/app', MaxResults: 11 })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('does not read Secrets Manager references', async () => {
    await expect(
      ssm.send(new GetParametersByPathCommand({ Path: '/aws/reference/secretsmanager' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('GetParameter'),
    });
  });
});

describe('local SSM DescribeParameters', () => {
  async function described(
    input: NonNullable<ConstructorParameters<typeof DescribeParametersCommand>[0]>,
  ): Promise<string[]> {
    const names: string[] = [];
    for await (const page of paginateDescribeParameters({ client: ssm, pageSize: 3 }, input)) {
      names.push(...(page.Parameters ?? []).map((p) => p.Name!));
    }
    return names;
  }

  it('lists every parameter in name order across pages, with metadata and no value', async () => {
    // In hierarchy order: '-' and '.' sort before '/', and root-name sits at /root-name.
    await expect(described({})).resolves.toEqual([
      '/app-other/x',
      '/app.x',
      '/app/a',
      '/app/b',
      '/app/db/password',
      '/app/db/replica/host',
      '/app/db/user',
      '/app/z',
      '/apps/y',
      'root-name',
    ]);
    const { Parameters } = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/app/db/user'] }] }),
    );
    expect(Parameters).toEqual([
      {
        Name: '/app/db/user',
        ARN: 'arn:aws:ssm:us-east-1:000000000000:parameter/app/db/user',
        Type: 'SecureString',
        KeyId: 'alias/aws/ssm',
        LastModifiedDate: expect.any(Date),
        LastModifiedUser: 'arn:aws:iam::000000000000:root',
        Version: 1,
        Tier: 'Standard',
        Policies: [],
        DataType: 'text',
      },
    ]);
  });

  it('filters by Path, Name, Type, KeyId and tag', async () => {
    await expect(described({ ParameterFilters: [{ Key: 'Path', Values: ['/app/db'] }] })).resolves.toEqual([
      '/app/db/password',
      '/app/db/user',
    ]);
    await expect(
      described({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/app/db'] }] }),
    ).resolves.toEqual(['/app/db/password', '/app/db/replica/host', '/app/db/user']);
    await expect(
      described({ ParameterFilters: [{ Key: 'Name', Option: 'Contains', Values: ['other'] }] }),
    ).resolves.toEqual(['/app-other/x']);
    await expect(
      described({ ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/app/d'] }] }),
    ).resolves.toEqual(['/app/db/password', '/app/db/replica/host', '/app/db/user']);
    await expect(
      described({
        ParameterFilters: [
          { Key: 'Type', Values: ['SecureString'] },
          { Key: 'KeyId', Values: ['alias/aws/ssm'] },
          { Key: 'Path', Values: ['/app/db/replica'] },
        ],
      }),
    ).resolves.toEqual(['/app/db/replica/host']);
    await expect(described({ ParameterFilters: [{ Key: 'tag:team', Values: ['core'] }] })).resolves.toEqual([
      '/app/z',
    ]);
    await expect(described({ Filters: [{ Key: 'Name', Values: ['/app/d'] }] })).resolves.toEqual([
      '/app/db/password',
      '/app/db/replica/host',
      '/app/db/user',
    ]);
  });

  it('answers no parameters shared by other accounts: the endpoint has one account', async () => {
    await expect(ssm.send(new DescribeParametersCommand({ Shared: true }))).resolves.toMatchObject({
      Parameters: [],
    });
  });

  it('refuses both Filters and ParameterFilters, a Label filter and a duplicated filter', async () => {
    await expect(
      ssm.send(
        new DescribeParametersCommand({
          Filters: [{ Key: 'Name', Values: ['a'] }],
          ParameterFilters: [{ Key: 'Type', Values: ['String'] }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Label', Values: ['a'] }] })),
    ).rejects.toMatchObject({ name: 'InvalidFilterKey' });
    await expect(
      ssm.send(
        new DescribeParametersCommand({
          ParameterFilters: [
            { Key: 'Type', Values: ['String'] },
            { Key: 'Type', Values: ['SecureString'] },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidFilterKey', message: expect.stringContaining('duplicated') });
    await expect(
      ssm.send(
        new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Values: ['/aws/service'] }] }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
