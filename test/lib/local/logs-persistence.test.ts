import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocal } from '../../support/local-endpoint';

const NOW = Date.UTC(2026, 2, 1, 12);

describe('local CloudWatch Logs persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keystage-logs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps groups, streams, retention and events in order across a restart, and appends after it', async () => {
    const logGroupName = '/keystage/audit';
    const first = await startLocal({ inMemory: false, dataDir: dir, now: () => NOW });
    const before = first.logs();
    await before.send(new CreateLogGroupCommand({ logGroupName, tags: { team: 'core' } }));
    await before.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: 30 }));
    for (const logStreamName of ['a', 'b']) {
      await before.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
    }
    await before.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: 'a',
        logEvents: Array.from({ length: 3 }, (_, i) => ({
          timestamp: NOW - 3000 + i * 1000,
          message: `a${i}`,
        })),
      }),
    );
    await before.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: 'b',
        logEvents: [{ timestamp: NOW - 2500, message: 'b0' }],
      }),
    );
    const page = await before.send(
      new GetLogEventsCommand({ logGroupName, logStreamName: 'a', startFromHead: true, limit: 2 }),
    );
    before.destroy();
    await first.endpoint.close();

    const second = await startLocal({ inMemory: false, dataDir: dir, now: () => NOW });
    const after = second.logs();
    try {
      const { logGroups } = await after.send(new DescribeLogGroupsCommand({}));
      expect(logGroups).toEqual([
        expect.objectContaining({ logGroupName, retentionInDays: 30, storedBytes: 8 }),
      ]);
      const { logStreams } = await after.send(new DescribeLogStreamsCommand({ logGroupName }));
      expect(logStreams?.map((s) => [s.logStreamName, s.lastEventTimestamp])).toEqual([
        ['a', NOW - 1000],
        ['b', NOW - 2500],
      ]);
      // A token from before the restart still reads on from where it was.
      const rest = await after.send(
        new GetLogEventsCommand({ logGroupName, logStreamName: 'a', nextToken: page.nextForwardToken }),
      );
      expect(rest.events?.map((e) => e.message)).toEqual(['a2']);
      await after.send(
        new PutLogEventsCommand({
          logGroupName,
          logStreamName: 'b',
          logEvents: [{ timestamp: NOW, message: 'b1' }],
        }),
      );
      const { events } = await after.send(new FilterLogEventsCommand({ logGroupName }));
      expect(events?.map((e) => e.message)).toEqual(['a0', 'b0', 'a1', 'a2', 'b1']);
    } finally {
      after.destroy();
      await second.endpoint.close();
    }
  });
});
