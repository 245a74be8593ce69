import {
  BatchGetSecretValueCommand,
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { arnOf, clientFixture, sm, version, type ClientFixture } from '../../support/client-fixture';

const NAME = 'prod/app/db';
const V1 = version('v1');
const V2 = version('v2');

/**
 * An emulator that ends every answer with NextToken "" and would keep answering: sending
 * "" back asks for the first page again. It gives up after 10 calls, so a loop that does
 * not stop fails fast instead of hanging the suite.
 */
function endsWithEmptyToken<T extends object>(page: T): () => T & { NextToken: string } {
  let calls = 0;
  return () => {
    calls += 1;
    if (calls > 10) throw new Error('the client kept paginating');
    return { ...page, NextToken: '' };
  };
}

const versionsPage = {
  ARN: arnOf(NAME),
  Name: NAME,
  Versions: [
    { VersionId: V2, VersionStages: ['AWSCURRENT'], CreatedDate: new Date(2) },
    { VersionId: V1, VersionStages: ['AWSPREVIOUS'], CreatedDate: new Date(1) },
  ],
};

describe('SecretsClient pagination ends on an empty NextToken', () => {
  let f: ClientFixture;
  beforeEach(() => {
    f = clientFixture();
  });

  it('in versions', async () => {
    sm.on(ListSecretVersionIdsCommand).callsFake(endsWithEmptyToken(versionsPage));
    await expect(f.client.versions(NAME)).resolves.toHaveLength(2);
    expect(sm).toHaveReceivedCommandTimes(ListSecretVersionIdsCommand, 1);
  });

  it('in describe', async () => {
    sm.on(DescribeSecretCommand).resolves({
      ARN: arnOf(NAME),
      Name: NAME,
      VersionIdsToStages: { [V1]: ['AWSPREVIOUS'], [V2]: ['AWSCURRENT'] },
    });
    sm.on(ListSecretVersionIdsCommand).callsFake(endsWithEmptyToken(versionsPage));
    await expect(f.client.describe(NAME)).resolves.toMatchObject({ name: NAME });
    expect(sm).toHaveReceivedCommandTimes(ListSecretVersionIdsCommand, 1);
  });

  it('in rollback', async () => {
    sm.on(ListSecretVersionIdsCommand).callsFake(endsWithEmptyToken(versionsPage));
    sm.on(UpdateSecretVersionStageCommand).resolves({});
    await expect(f.client.rollback(NAME)).resolves.toMatchObject({ fromVersionId: V2, toVersionId: V1 });
    expect(sm).toHaveReceivedCommandTimes(ListSecretVersionIdsCommand, 1);
  });

  it('in list', async () => {
    sm.on(ListSecretsCommand).callsFake(
      endsWithEmptyToken({ SecretList: [{ ARN: arnOf(NAME), Name: NAME }] }),
    );
    const names: string[] = [];
    for await (const item of f.client.list()) names.push(item.name);
    expect(names).toEqual([NAME]);
    expect(sm).toHaveReceivedCommandTimes(ListSecretsCommand, 1);
  });

  it('in getMany', async () => {
    sm.on(BatchGetSecretValueCommand).callsFake(
      endsWithEmptyToken({
        SecretValues: [{ ARN: arnOf(NAME), Name: NAME, SecretString: 's', VersionId: V1 }],
      }),
    );
    const { values } = await f.client.getMany([NAME]);
    expect(values.get(NAME)?.value).toBe('s');
    expect(sm).toHaveReceivedCommandTimes(BatchGetSecretValueCommand, 1);
  });

  it('in prefetch', async () => {
    sm.on(BatchGetSecretValueCommand).callsFake(
      endsWithEmptyToken({
        SecretValues: [{ ARN: arnOf(NAME), Name: NAME, SecretString: 's', VersionId: V1 }],
      }),
    );
    await expect(f.client.prefetch([NAME])).resolves.toEqual(new Map());
    expect(sm).toHaveReceivedCommandTimes(BatchGetSecretValueCommand, 1);
  });
});
