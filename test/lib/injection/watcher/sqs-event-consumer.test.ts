import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
  type ReceiveMessageCommandOutput,
} from '@aws-sdk/client-sqs';
import { DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { RotationWatcher, SqsEventConsumer, eventFromMessageBody } from '../../../../lib/injection';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { ManualClock, turn, uniqueName, watchedLocal } from './watcher-fixture';

const sqs = mockClient(SQSClient);
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/000000000000/rotation-events';

let local: LocalFixture;
beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());
beforeEach(() => sqs.reset());

function labelUpdated(arn: string, name: string): string {
  return JSON.stringify({
    'detail-type': 'Secret Label Updated',
    source: 'aws.secretsmanager',
    resources: [arn],
    detail: { name, labelUpdated: 'AWSCURRENT', versionId: 'x'.repeat(32) },
  });
}

/** Receives answer `batches` in turn, then wait (as a long poll on an empty queue does) until aborted. */
function queue(...batches: Array<ReceiveMessageCommandOutput['Messages']>): void {
  let call = 0;
  sqs.on(ReceiveMessageCommand).callsFake(() => {
    const batch = batches[call++];
    return batch === undefined ? new Promise(() => undefined) : Promise.resolve({ Messages: batch });
  });
  sqs.on(DeleteMessageCommand).resolves({});
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(done()).toBe(true);
}

async function setup() {
  const t = watchedLocal(local);
  const watcher = new RotationWatcher(t.client, { clock: t.clock, jitter: 0 });
  const name = uniqueName('sqs');
  const { arn } = await t.create(name, 'value-1');
  const listener = jest.fn();
  watcher.watch(name, listener);
  await watcher.ready(name);
  return { t, watcher, name, arn, listener };
}

describe('SqsEventConsumer', () => {
  it('long-polls the queue, hands each event to the watcher and deletes the message after', async () => {
    const { t, watcher, name, arn, listener } = await setup();
    const v2 = await t.rotate(name, 'value-2');
    queue([{ MessageId: 'm1', ReceiptHandle: 'handle-1', Body: labelUpdated(arn, name) }]);
    const consumer = new SqsEventConsumer(watcher, { queueUrl: QUEUE, sqs: new SQSClient({}) });
    consumer.start();
    consumer.start(); // once
    await until(() => consumer.stats().deleted === 1);
    expect(listener).toHaveBeenCalledWith(expect.objectContaining({ versionId: v2, trigger: 'rotation' }));
    await consumer.stop();
    expect(sqs).toHaveReceivedCommandTimes(ReceiveMessageCommand, 2);
    expect(sqs).toHaveReceivedNthSpecificCommandWith(1, ReceiveMessageCommand, {
      QueueUrl: QUEUE,
      WaitTimeSeconds: 20,
      MaxNumberOfMessages: 10,
    });
    expect(sqs).toHaveReceivedCommandTimes(DeleteMessageCommand, 1);
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, {
      QueueUrl: QUEUE,
      ReceiptHandle: 'handle-1',
    });
    expect(sqs.calls()).toHaveLength(3);
    expect(consumer.stats()).toEqual({ receives: 2, messages: 1, deleted: 1, kept: 0, errors: 0 });
    watcher.close();
  });

  it('reads events wrapped in an SNS notification', async () => {
    const { t, watcher, name, arn, listener } = await setup();
    await t.rotate(name, 'value-2');
    const body = JSON.stringify({ Type: 'Notification', MessageId: 'n', Message: labelUpdated(arn, name) });
    queue([{ ReceiptHandle: 'handle-sns', Body: body }]);
    const consumer = new SqsEventConsumer(watcher, {
      queueUrl: QUEUE,
      waitTimeSeconds: 5,
      maxMessages: 3,
      visibilityTimeoutSeconds: 30,
    });
    consumer.start();
    await until(() => consumer.stats().deleted === 1);
    await consumer.stop();
    expect(listener).toHaveBeenCalledTimes(1);
    expect(sqs).toHaveReceivedNthSpecificCommandWith(1, ReceiveMessageCommand, {
      QueueUrl: QUEUE,
      WaitTimeSeconds: 5,
      MaxNumberOfMessages: 3,
      VisibilityTimeout: 30,
    });
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { ReceiptHandle: 'handle-sns' });
    watcher.close();
  });

  it('deletes events about secrets nobody watches (nothing to do), and keeps messages it could not handle', async () => {
    const { t, watcher, name, arn } = await setup();
    await t.writer.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    const errors: unknown[] = [];
    queue([
      { ReceiptHandle: 'not-json', Body: 'hello' },
      { ReceiptHandle: 'other', Body: JSON.stringify({ 'detail-type': 'Something Else', detail: {} }) },
      { ReceiptHandle: 'failing', Body: labelUpdated(arn, name) },
    ]);
    const consumer = new SqsEventConsumer(watcher, {
      queueUrl: QUEUE,
      onError: (error) => errors.push(error),
    });
    consumer.start();
    await until(() => consumer.stats().kept === 2 && consumer.stats().deleted === 1);
    await consumer.stop();
    expect(sqs).toHaveReceivedCommandTimes(DeleteMessageCommand, 1);
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { ReceiptHandle: 'other' });
    expect(errors.map((error) => (error as { code: string }).code).sort()).toEqual([
      'DECODE_ERROR',
      'SECRET_NOT_FOUND',
    ]);
    watcher.close();
  });

  it('backs off after a failed receive and tries again', async () => {
    const { watcher } = await setup();
    const clock = new ManualClock();
    let call = 0;
    sqs.on(ReceiveMessageCommand).callsFake(() => {
      call++;
      if (call <= 2)
        return Promise.reject(Object.assign(new Error('boom'), { name: 'InternalError', $metadata: {} }));
      return new Promise(() => undefined);
    });
    const errors: unknown[] = [];
    const consumer = new SqsEventConsumer(watcher, {
      queueUrl: QUEUE,
      clock,
      onError: (error) => errors.push(error),
    });
    consumer.start();
    await turn();
    expect(call).toBe(1);
    expect(clock.sleeps).toHaveLength(1);
    await clock.advance(clock.sleeps[0]!);
    await turn();
    expect(call).toBe(2);
    expect(clock.sleeps[1]).toBeGreaterThanOrEqual(clock.sleeps[0]! / 2);
    await clock.advance(clock.sleeps[1]!);
    await turn();
    expect(call).toBe(3);
    expect(errors).toHaveLength(2);
    await consumer.stop();
    watcher.close();
  });

  it('stops at once, abandoning a long poll under way', async () => {
    const { watcher } = await setup();
    queue();
    const consumer = new SqsEventConsumer(watcher, { queueUrl: QUEUE });
    consumer.start();
    await turn();
    const started = Date.now();
    await consumer.stop();
    await consumer.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sqs).toHaveReceivedCommandTimes(ReceiveMessageCommand, 1);
    watcher.close();
  });

  it('refuses bad options before any call', async () => {
    const { watcher } = await setup();
    const bad: Array<[unknown, string]> = [
      [{}, 'queueUrl'],
      [{ queueUrl: 'rotation-events' }, 'queueUrl'],
      [{ queueUrl: QUEUE, sqs: new SQSClient({}), sqsConfig: {} }, 'sqsConfig'],
      [{ queueUrl: QUEUE, sqs: {} }, 'sqs'],
      [{ queueUrl: QUEUE, waitTimeSeconds: 21 }, 'waitTimeSeconds'],
      [{ queueUrl: QUEUE, maxMessages: 0 }, 'maxMessages'],
      [{ queueUrl: QUEUE, visibilityTimeoutSeconds: -1 }, 'visibilityTimeoutSeconds'],
      [{ queueUrl: QUEUE, onError: 1 }, 'onError'],
      [{ queueUrl: QUEUE, queue: 'x' }, 'queue'],
    ];
    for (const [options, field] of bad) {
      expect(() => new SqsEventConsumer(watcher, options as never)).toThrow(
        expect.objectContaining({ field }),
      );
    }
    expect(() => new SqsEventConsumer({} as never, { queueUrl: QUEUE })).toThrow(
      expect.objectContaining({ field: 'watcher' }),
    );
    expect(sqs.calls()).toHaveLength(0);
    watcher.close();
  });
});

describe('eventFromMessageBody', () => {
  it('reads a body that is the event, or an SNS notification carrying it', () => {
    const event = { 'detail-type': 'Secret Label Updated', detail: { name: 'a' } };
    expect(eventFromMessageBody(JSON.stringify(event))).toEqual(event);
    expect(
      eventFromMessageBody(JSON.stringify({ Type: 'Notification', Message: JSON.stringify(event) })),
    ).toEqual(event);
  });

  it('refuses a body that is not JSON without quoting it', () => {
    expect(() => eventFromMessageBody('password=hunter2')).toThrow(
      expect.objectContaining({ code: 'DECODE_ERROR', message: expect.not.stringContaining('hunter2') }),
    );
    expect(() => eventFromMessageBody(undefined)).toThrow(expect.objectContaining({ code: 'DECODE_ERROR' }));
  });
});
