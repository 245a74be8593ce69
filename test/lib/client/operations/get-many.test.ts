import {
  BatchGetSecretValueCommand,
  DescribeSecretCommand,
  type BatchGetSecretValueCommandInput,
} from '@aws-sdk/client-secrets-manager';
import {
  arnOf,
  clientFixture,
  rejection,
  serviceError,
  sm,
  version,
  type ClientFixture,
} from '../../../support/client-fixture';

const names = (n: number) => Array.from({ length: n }, (_, i) => `prod/app/s${i}`);

/** Answers every requested id by name, as the service does. */
function answerAll(input: BatchGetSecretValueCommandInput) {
  return {
    SecretValues: (input.SecretIdList ?? []).map((id) => ({
      ARN: arnOf(id),
      Name: id,
      SecretString: `value of ${id}`,
      VersionId: version('v'),
      VersionStages: ['AWSCURRENT'],
    })),
  };
}

describe('SecretsClient.getMany', () => {
  let f: ClientFixture;
  beforeEach(() => {
    f = clientFixture();
  });

  it('reads 45 ids in calls of 20, 20 and 5', async () => {
    sm.on(BatchGetSecretValueCommand).callsFake(answerAll);
    const { values, errors } = await f.client.getMany(names(45));
    expect(
      sm.commandCalls(BatchGetSecretValueCommand).map((c) => c.args[0].input.SecretIdList?.length),
    ).toEqual([20, 20, 5]);
    expect(values.size).toBe(45);
    expect(errors.size).toBe(0);
    expect(values.get('prod/app/s44')).toMatchObject({
      value: 'value of prod/app/s44',
      versionStages: ['AWSCURRENT'],
    });
  });

  it('follows NextToken within a call', async () => {
    sm.on(BatchGetSecretValueCommand, { SecretIdList: ['a', 'b'] })
      .resolvesOnce({ SecretValues: [{ Name: 'a', ARN: arnOf('a'), SecretString: '1' }], NextToken: 'next' })
      .resolves({ SecretValues: [{ Name: 'b', ARN: arnOf('b'), SecretString: '2' }] });
    const { values } = await f.client.getMany(['a', 'b']);
    expect([...values.keys()]).toEqual(['a', 'b']);
    expect(sm).toHaveReceivedNthCommandWith(2, BatchGetSecretValueCommand, {
      SecretIdList: ['a', 'b'],
      NextToken: 'next',
    });
  });

  it('keys answers by the id passed: name, full ARN or partial ARN', async () => {
    const full = arnOf('prod/x');
    const partial = arnOf('prod/y').replace(/-AbCdEf$/, '');
    sm.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [
        { Name: 'prod/x', ARN: full, SecretString: 'x' },
        { Name: 'prod/y', ARN: arnOf('prod/y'), SecretString: 'y' },
        { Name: 'prod/z', ARN: arnOf('prod/z'), SecretBinary: new Uint8Array([1]) },
      ],
    });
    const { values } = await f.client.getMany([full, partial, 'prod/z']);
    expect(values.get(full)?.value).toBe('x');
    expect(values.get(partial)?.value).toBe('y');
    expect(values.get('prod/z')?.binary).toEqual(new Uint8Array([1]));
  });

  it('reports failures per id, a revoked one as SECRET_REVOKED and a missing one as SECRET_NOT_FOUND', async () => {
    sm.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [{ Name: 'ok', ARN: arnOf('ok'), SecretString: 'fine' }],
      Errors: [
        { SecretId: 'gone', ErrorCode: 'ResourceNotFoundException', Message: "can't find" },
        { SecretId: 'locked', ErrorCode: 'AccessDeniedException', Message: 'denied' },
        { SecretId: 'cold', ErrorCode: 'DecryptionFailure', Message: 'kms' },
      ],
    });
    sm.on(DescribeSecretCommand, { SecretId: 'locked' }).resolves({
      Tags: [{ Key: 'keystage:status', Value: 'revoked' }],
    });
    const { values, errors } = await f.client.getMany(['ok', 'gone', 'locked', 'cold', 'silent']);
    expect(values.get('ok')?.value).toBe('fine');
    expect(Object.fromEntries([...errors].map(([id, e]) => [id, e.code]))).toEqual({
      gone: 'SECRET_NOT_FOUND',
      locked: 'SECRET_REVOKED',
      cold: 'PERMISSION_DENIED',
      silent: 'SECRET_NOT_FOUND',
    });
  });

  it('asks once for a repeated id and not at all for none', async () => {
    sm.on(BatchGetSecretValueCommand).callsFake(answerAll);
    await f.client.getMany([]);
    expect(sm).not.toHaveReceivedAnyCommand();
    const { values } = await f.client.getMany(['a', 'a', 'b']);
    expect(sm).toHaveReceivedCommandWith(BatchGetSecretValueCommand, { SecretIdList: ['a', 'b'] });
    expect(values.size).toBe(2);
  });

  it('throws a whole-call failure as its mapped error', async () => {
    const throttled = serviceError('ThrottlingException', 'Rate exceeded');
    sm.on(BatchGetSecretValueCommand).rejects(throttled);
    expect(await rejection(f.client.getMany(['a']))).toMatchObject({ code: 'THROTTLED', cause: throttled });
  });

  it('rejects a bad id before any call', async () => {
    expect(await rejection(f.client.getMany(['good', '']))).toMatchObject({ field: 'ids[1]' });
    expect(await rejection(f.client.getMany('a' as never))).toMatchObject({ field: 'ids' });
    expect(sm).not.toHaveReceivedAnyCommand();
  });
});
