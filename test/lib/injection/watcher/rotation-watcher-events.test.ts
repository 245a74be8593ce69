import { DeleteSecretCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { RotationWatcher } from '../../../../lib/injection';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { uniqueName, watchedLocal } from './watcher-fixture';

let local: LocalFixture;
beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());

// Shapes from the Secrets Manager user guide: the native event, and the CloudTrail events
// EventBridge derives (events before February 2024 spell the ARN key `aRN`).
function labelUpdated(arn: string, name: string, versionId: string): object {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'Secret Label Updated',
    source: 'aws.secretsmanager',
    account: '000000000000',
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [arn],
    detail: { name, labelUpdated: 'AWSCURRENT', versionId },
  };
}

function apiCall(eventName: string, secretId: string, arnKey: 'arn' | 'aRN' = 'arn'): object {
  return {
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.secretsmanager',
    detail: {
      eventSource: 'secretsmanager.amazonaws.com',
      eventName,
      requestParameters: { secretId, versionStage: 'AWSCURRENT' },
      responseElements: { [arnKey]: secretId },
    },
  };
}

function rotationSucceeded(arn: string): object {
  return {
    'detail-type': 'AWS Service Event via CloudTrail',
    source: 'aws.secretsmanager',
    detail: {
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'RotationSucceeded',
      eventType: 'AwsServiceEvent',
      additionalEventData: { SecretId: arn },
    },
  };
}

async function setup(ids: 'name' | 'arn' = 'name') {
  const t = watchedLocal(local);
  const watcher = new RotationWatcher(t.client, { clock: t.clock, jitter: 0 });
  const name = uniqueName('event');
  const { arn, versionId } = await t.create(name, 'value-1');
  const listener = jest.fn();
  watcher.watch(ids === 'name' ? name : arn, listener);
  await watcher.ready(ids === 'name' ? name : arn);
  return {
    t,
    watcher,
    name,
    arn,
    v1: versionId,
    listener,
    describes: () => t.calls.get('DescribeSecret') ?? 0,
  };
}

describe('RotationWatcher.handleEvent', () => {
  it('polls at once on Secret Label Updated and tells listeners with trigger rotation', async () => {
    const { t, watcher, name, arn, v1, listener, describes } = await setup();
    const v2 = await t.rotate(name, 'value-2');
    await expect(watcher.handleEvent(labelUpdated(arn, name, v2))).resolves.toBe(1);
    expect(describes()).toBe(2); // no clock moved: the event alone
    expect(listener).toHaveBeenCalledWith({
      secretId: name,
      arn,
      name,
      previousVersionId: v1,
      versionId: v2,
      trigger: 'rotation',
    });
    watcher.close();
  });

  it.each([
    ['UpdateSecretVersionStage with arn', (arn: string) => apiCall('UpdateSecretVersionStage', arn)],
    ['UpdateSecretVersionStage with aRN', (arn: string) => apiCall('UpdateSecretVersionStage', arn, 'aRN')],
    ['PutSecretValue', (arn: string) => apiCall('PutSecretValue', arn)],
    ['RotationSucceeded', rotationSucceeded],
  ])('polls at once on the CloudTrail event %s', async (_, event) => {
    const { t, watcher, name, arn, listener } = await setup();
    const v2 = await t.rotate(name, 'value-2');
    await expect(watcher.handleEvent(event(arn))).resolves.toBe(1);
    expect(listener).toHaveBeenCalledWith(expect.objectContaining({ versionId: v2, trigger: 'rotation' }));
    watcher.close();
  });

  it('matches an event naming the secret by name, partial ARN or full ARN to any id it is watched by', async () => {
    const { t, watcher, name, arn, listener } = await setup('arn');
    const partial = arn.slice(0, -7);
    for (const id of [name, partial, arn]) {
      await t.rotate(name, `value-for-${id.length}`);
      await expect(watcher.handleEvent(apiCall('UpdateSecretVersionStage', id))).resolves.toBe(1);
    }
    expect(listener).toHaveBeenCalledTimes(3);
    watcher.close();
  });

  it('follows a rollback (UpdateSecretVersionStage back to the previous version)', async () => {
    const { t, watcher, name, arn, v1, listener } = await setup();
    const v2 = await t.rotate(name, 'value-2');
    await watcher.handleEvent(labelUpdated(arn, name, v2));
    await t.writer.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: v1,
        RemoveFromVersionId: v2,
      }),
    );
    await watcher.handleEvent(apiCall('UpdateSecretVersionStage', arn));
    expect(listener.mock.calls.map(([change]) => [change.previousVersionId, change.versionId])).toEqual([
      [v1, v2],
      [v2, v1],
    ]);
    watcher.close();
  });

  it('makes no call for a secret nobody watches, but the client cache forgets it', async () => {
    const { t, watcher, describes } = await setup();
    const other = uniqueName('unwatched');
    const { arn } = await t.create(other, 'value-1');
    expect(await t.client.get(other)).toBe('value-1');
    expect(t.client.cache?.peek(other, {})).toBeDefined();
    await expect(watcher.handleEvent(labelUpdated(arn, other, 'v'.repeat(32)))).resolves.toBe(0);
    expect(describes()).toBe(1);
    expect(t.client.cache?.peek(other, {})).toBeUndefined();
    watcher.close();
  });

  it('ignores events that are not about a secret change', async () => {
    const { watcher, describes } = await setup();
    for (const event of [
      { 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', detail: {} },
      { 'detail-type': 'AWS API Call via CloudTrail', detail: { eventName: 'GetSecretValue' } },
      'not an event',
      null,
    ]) {
      await expect(watcher.handleEvent(event)).resolves.toBe(0);
    }
    expect(describes()).toBe(1);
    watcher.close();
  });

  it('rejects when a refresh it started failed, so a queue keeps the message', async () => {
    const { t, watcher, name, arn } = await setup();
    await t.writer.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    await expect(watcher.handleEvent(labelUpdated(arn, name, 'v'.repeat(32)))).rejects.toMatchObject({
      code: 'SECRET_NOT_FOUND',
    });
    watcher.close();
  });
});
