import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { SSM_OPERATIONS } from '../../../lib/local/ssm';
import { SHAPES } from '../../../lib/local/ssm/shapes';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { membersOf, rawCall, wrongValue } from '../../support/wrong-types';

let local: LocalFixture;
let ssm: SSMClient;

beforeAll(async () => {
  local = await startLocal();
  ssm = local.ssm();
});
afterAll(() => local.endpoint.close());

const call = (operation: string, body: unknown) =>
  rawCall(local.endpoint.url, 'AmazonSSM', 'ssm', operation, body);
const put = (Name: string, extra: Partial<ConstructorParameters<typeof PutParameterCommand>[0]> = {}) =>
  ssm.send(new PutParameterCommand({ Name, Value: 'v', Type: 'String', ...extra }));

describe('local SSM input validation', () => {
  it('has an input shape for every operation it answers', () => {
    expect(Object.keys(SSM_OPERATIONS).sort()).toEqual(
      [
        'PutParameter',
        'GetParameter',
        'GetParameters',
        'GetParametersByPath',
        'DeleteParameter',
        'DeleteParameters',
        'DescribeParameters',
        'GetParameterHistory',
        'LabelParameterVersion',
        'ListTagsForResource',
        'AddTagsToResource',
        'RemoveTagsFromResource',
      ].sort(),
    );
    expect(Object.keys(SHAPES).sort()).toEqual(Object.keys(SSM_OPERATIONS).sort());
  });

  it('answers 400 ValidationException naming the member for a wrong JSON type of any member', async () => {
    const failures: string[] = [];
    for (const [operation, member, shape] of membersOf(SHAPES)) {
      const answer = await call(operation, { [member]: wrongValue(shape) });
      const path = member.charAt(0).toLowerCase() + member.slice(1);
      if (
        answer.status !== 400 ||
        answer.type !== 'ValidationException' ||
        !answer.message.includes(`'${path}'`)
      ) {
        failures.push(`${operation}.${member}: ${answer.status} ${answer.type} ${answer.message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('never answers 500 to an empty body', async () => {
    for (const operation of Object.keys(SHAPES)) {
      const { status } = await call(operation, {});
      expect([operation, status < 500]).toEqual([operation, true]);
    }
  });

  it('answers an unknown AmazonSSM operation with UnknownOperationException', async () => {
    await expect(call('SendCommand', {})).resolves.toMatchObject({
      status: 400,
      type: 'UnknownOperationException',
    });
  });

  it.each([
    ['an empty Value', 'PutParameter', { Name: '/x', Value: '', Type: 'String' }],
    ['an unknown Type', 'PutParameter', { Name: '/x', Value: 'v', Type: 'Binary' }],
    ['an unknown Tier', 'PutParameter', { Name: '/x', Value: 'v', Type: 'String', Tier: 'Premium' }],
    ['a KeyId with a space', 'PutParameter', { Name: '/x', Value: 'v', Type: 'SecureString', KeyId: 'a b' }],
    [
      'a Description over 1024 characters',
      'PutParameter',
      { Name: '/x', Value: 'v', Description: 'd'.repeat(1025) },
    ],
    ['11 names', 'GetParameters', { Names: Array.from({ length: 11 }, (_, i) => `/n${i}`) }],
    [
      '11 labels',
      'LabelParameterVersion',
      { Name: '/x', Labels: Array.from({ length: 11 }, (_, i) => `l${i}`) },
    ],
    ['a label over 100 characters', 'LabelParameterVersion', { Name: '/x', Labels: ['l'.repeat(101)] }],
    ['DescribeParameters MaxResults 51', 'DescribeParameters', { MaxResults: 51 }],
    [
      'an unknown filter key',
      'DescribeParameters',
      { ParameterFilters: [{ Key: 'Colour', Values: ['red'] }] },
    ],
    ['GetParameterHistory MaxResults 0', 'GetParameterHistory', { Name: '/x', MaxResults: 0 }],
    ['an unknown ResourceType', 'ListTagsForResource', { ResourceType: 'Bucket', ResourceId: '/x' }],
  ])('refuses %s with ValidationException', async (_what, operation, body) => {
    await expect(call(operation, body)).resolves.toMatchObject({ status: 400, type: 'ValidationException' });
  });

  it.each([
    ['a name with a space', 'my param', 'ValidationException'],
    ['a path without a leading slash', 'a/b', 'ValidationException'],
    ['a doubled slash', '/a//b', 'ValidationException'],
    ['a trailing slash', '/a/b/', 'ValidationException'],
    ['a name prefixed with aws', 'awsParam', 'ValidationException'],
    ['a path prefixed with ssm', '/SSM/x', 'ValidationException'],
    ['a reserved /aws/ path', '/aws/reference/secretsmanager/x', 'AccessDeniedException'],
    [
      'more than 15 levels',
      `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`,
      'HierarchyLevelLimitExceededException',
    ],
    ['a name over 1011 characters', `/${'n'.repeat(1011)}`, 'ValidationException'],
  ])('refuses to create %s', async (_what, name, type) => {
    await expect(put(name)).rejects.toMatchObject({ name: type });
  });

  it('takes 15 levels', async () => {
    await expect(put(`/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}`)).resolves.toMatchObject({
      Version: 1,
    });
  });

  it('needs a Type to create a parameter, and a KeyId only for a SecureString', async () => {
    await expect(ssm.send(new PutParameterCommand({ Name: '/typeless', Value: 'v' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('type is required'),
    });
    await expect(put('/keyed', { KeyId: 'alias/aws/ssm' })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('SecureString'),
    });
  });

  it('checks AllowedPattern: a pattern that is no regular expression, and a value it does not match', async () => {
    await expect(put('/pattern/bad', { AllowedPattern: '([a-z' })).rejects.toMatchObject({
      name: 'InvalidAllowedPatternException',
    });
    await expect(put('/pattern/digits', { Value: '12a', AllowedPattern: '\\d+' })).rejects.toMatchObject({
      name: 'ParameterPatternMismatchException',
      message: expect.stringContaining('\\d+'),
    });
    await expect(put('/pattern/digits', { Value: '123', AllowedPattern: '\\d+' })).resolves.toMatchObject({
      Version: 1,
    });
  });

  it('checks DataType, and refuses Policies it would not enforce', async () => {
    await expect(put('/data/type', { DataType: 'Text' })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(put('/data/ami', { DataType: 'aws:ec2:image', Value: 'not-an-ami' })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(
      put('/data/ami', { DataType: 'aws:ec2:image', Value: 'ami-0123456789abcdef0' }),
    ).resolves.toMatchObject({
      Version: 1,
    });
    await expect(
      put('/data/policy', {
        Tier: 'Advanced',
        Policies: '[{"Type":"Expiration","Version":"1.0","Attributes":{}}]',
      }),
    ).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
  });

  it('refuses more than 50 tags', async () => {
    const Tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expect(put('/tagged/many', { Tags })).rejects.toMatchObject({ name: 'TooManyTagsError' });
  });

  it('never repeats a value in an error message', async () => {
    const value = 'SECRET-VALUE-9f3a';
    const answers = [
      await call('PutParameter', { Name: '/leak/a', Value: value, Type: 'String', AllowedPattern: '\\d+' }),
      await call('PutParameter', {
        Name: '/leak/b',
        Value: `${value}${'x'.repeat(5000)}`,
        Type: 'SecureString',
      }),
      await call('PutParameter', {
        Name: '/leak/c',
        Value: value,
        Type: 'String',
        DataType: 'aws:ec2:image',
      }),
      await call('PutParameter', {
        Name: '/leak/d',
        Value: value,
        Type: 'SecureString',
        KeyId: 'alias/none',
      }),
      await call('PutParameter', { Name: '/leak/e', Value: 7, Type: 'String' }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.message).not.toContain(value);
    }
  });
});
