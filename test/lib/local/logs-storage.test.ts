import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultyFileSystem } from '../../support/faulty-fs';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

const NOW = Date.UTC(2026, 2, 1, 12);
const logGroupName = '/keystage/storage';

describe('local CloudWatch Logs storage', () => {
  let dir: string;
  let local: LocalFixture | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keystage-logs-storage-'));
  });
  afterEach(async () => {
    await local?.endpoint.close();
    local = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const onDisk = () => readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  const batch = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => ({
      timestamp: NOW - 100_000 + from + i,
      message: `event ${from + i}`,
    }));

  it('appends what a batch weighs, whatever the stream already holds', async () => {
    local = await startLocal({ inMemory: false, dataDir: dir, now: () => NOW });
    const logs = local.logs();
    await logs.send(new CreateLogGroupCommand({ logGroupName }));
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 's' }));
    const put = async (from: number, count: number) => {
      const before = onDisk();
      await logs.send(
        new PutLogEventsCommand({ logGroupName, logStreamName: 's', logEvents: batch(from, count) }),
      );
      return onDisk() - before;
    };
    const firstBatch = await put(0, 100);
    for (let i = 1; i <= 3; i++) await put(i * 10_000, 10_000);
    const laterBatch = await put(40_000, 100);
    // 30,100 events later, a batch of 100 costs what the first one did (not the stream's size).
    expect(laterBatch).toBeLessThan(firstBatch * 1.2);
    expect(laterBatch).toBeGreaterThan(firstBatch * 0.8);
  });

  it('answers 500 ServiceUnavailableException for a write the disk refuses, and shows none of its events', async () => {
    const disk = new FaultyFileSystem();
    local = await startLocal({ inMemory: false, dataDir: dir, fileSystem: disk.fs, now: () => NOW });
    const logs = local.logs();
    await logs.send(new CreateLogGroupCommand({ logGroupName }));
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 's' }));
    await logs.send(new PutLogEventsCommand({ logGroupName, logStreamName: 's', logEvents: batch(0, 2) }));
    disk.failWrites = 1;
    await expect(
      logs.send(new PutLogEventsCommand({ logGroupName, logStreamName: 's', logEvents: batch(10, 2) })),
    ).rejects.toMatchObject({ name: 'ServiceUnavailableException', $metadata: { httpStatusCode: 500 } });
    const read = await logs.send(
      new GetLogEventsCommand({ logGroupName, logStreamName: 's', startFromHead: true }),
    );
    expect(read.events?.map((e) => e.message)).toEqual(['event 0', 'event 1']);
    const { events } = await logs.send(new FilterLogEventsCommand({ logGroupName }));
    expect(events).toHaveLength(2);
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }));
    expect(logGroups?.[0]?.storedBytes).toBe(14);
  });
});
