import { LOGS_OPERATIONS } from '../../../lib/local/logs/operations';
import { SHAPES } from '../../../lib/local/logs/shapes';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { membersOf, rawCall, wrongValue } from '../../support/wrong-types';

let local: LocalFixture;

beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());

const call = (operation: string, body: unknown) =>
  rawCall(local.endpoint.url, 'Logs_20140328', 'logs', operation, body);

const members = membersOf(SHAPES);

describe('CloudWatch Logs input validation', () => {
  it('has an input shape for every operation it answers', () => {
    expect(Object.keys(LOGS_OPERATIONS).sort()).toEqual(Object.keys(SHAPES).sort());
    expect(Object.keys(SHAPES).sort()).toEqual(
      [
        'CreateLogGroup',
        'CreateLogStream',
        'DeleteLogGroup',
        'DeleteLogStream',
        'DeleteRetentionPolicy',
        'DescribeLogGroups',
        'DescribeLogStreams',
        'FilterLogEvents',
        'GetLogEvents',
        'PutLogEvents',
        'PutRetentionPolicy',
      ].sort(),
    );
  });

  it('answers 400 InvalidParameterException naming the member for a wrong JSON type of any member', async () => {
    const failures: string[] = [];
    for (const [operation, member, shape] of members) {
      const answer = await call(operation, { [member]: wrongValue(shape) });
      if (
        answer.status !== 400 ||
        answer.type !== 'InvalidParameterException' ||
        !answer.message.includes(`'${member}'`)
      ) {
        failures.push(`${operation}.${member}: ${answer.status} ${answer.type} ${answer.message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('checks members inside lists, maps and structures', async () => {
    for (const [operation, body] of [
      ['PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: 1, message: 2 }] }],
      ['PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: [{ message: 'm' }] }],
      [
        'PutLogEvents',
        { logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: 1.5, message: 'm' }] },
      ],
      ['CreateLogGroup', { logGroupName: 'g', tags: { team: 7 } }],
      ['FilterLogEvents', { logGroupName: 'g', logStreamNames: ['a:b'] }],
      ['DescribeLogGroups', { logGroupIdentifiers: [] }],
    ] as const) {
      await expect(call(operation, body)).resolves.toMatchObject({
        status: 400,
        type: 'InvalidParameterException',
      });
    }
  });

  it.each([
    ['a group name with a colon', 'CreateLogGroup', { logGroupName: 'a:b' }],
    ['a group name of 513 characters', 'CreateLogGroup', { logGroupName: 'a'.repeat(513) }],
    ['a stream name with a star', 'CreateLogStream', { logGroupName: 'g', logStreamName: 'a*' }],
    ['an unknown log group class', 'CreateLogGroup', { logGroupName: 'g', logGroupClass: 'COLD' }],
    [
      '51 tags',
      'CreateLogGroup',
      { logGroupName: 'g', tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
    ],
    ['a DescribeLogGroups limit of 51', 'DescribeLogGroups', { limit: 51 }],
    [
      'a GetLogEvents limit of 10,001',
      'GetLogEvents',
      { logGroupName: 'g', logStreamName: 's', limit: 10_001 },
    ],
    ['an unknown orderBy', 'DescribeLogStreams', { logGroupName: 'g', orderBy: 'Size' }],
    [
      'a filterPattern of 1025 characters',
      'FilterLogEvents',
      { logGroupName: 'g', filterPattern: 'x'.repeat(1025) },
    ],
    [
      '101 stream names',
      'FilterLogEvents',
      { logGroupName: 'g', logStreamNames: Array.from({ length: 101 }, (_, i) => `s${i}`) },
    ],
    ['an empty nextToken', 'DescribeLogGroups', { nextToken: '' }],
    ['PutRetentionPolicy without retentionInDays', 'PutRetentionPolicy', { logGroupName: 'g' }],
  ])('refuses %s with InvalidParameterException', async (_what, operation, body) => {
    await expect(call(operation, body)).resolves.toMatchObject({
      status: 400,
      type: 'InvalidParameterException',
    });
  });

  it('never answers 500 to an empty body', async () => {
    for (const operation of Object.keys(SHAPES)) {
      const { status } = await call(operation, {});
      expect([operation, status < 500]).toEqual([operation, true]);
    }
  });

  it('never repeats an event message in a validation message', async () => {
    const { message } = await call('PutLogEvents', {
      logGroupName: 'g',
      logStreamName: 's',
      logEvents: [{ timestamp: 'SECRET-ts', message: 'SECRET-message' }],
    });
    expect(message).not.toContain('SECRET');
  });

  it('answers an operation it does not implement with UnknownOperationException', async () => {
    await expect(call('StartQuery', {})).resolves.toMatchObject({
      status: 400,
      type: 'UnknownOperationException',
    });
  });
});
