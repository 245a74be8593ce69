import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDir } from '../../../../lib/local/storage/data-dir';
import { nodeFileSystem } from '../../../../lib/local/storage/file-system';
import { Journal } from '../../../../lib/local/storage/journal';
import { Table, Transaction } from '../../../../lib/local/storage/table';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { startLocalProcess, type RunningLocal } from '../../../support/local-process';

const NOW = Date.UTC(2026, 2, 1, 12);
const DAY = 86_400_000;
const logGroupName = '/keystage/store';

/** Batches whose times overlap, in put order, with equal timestamps across and within batches. */
const BATCHES: Array<{ stream: string; events: Array<[number, string]> }> = [
  {
    stream: 'a',
    events: [
      [NOW - 50, 'a0'],
      [NOW - 30, 'a1'],
      [NOW - 30, 'a2'],
      [NOW - 10, 'a3'],
    ],
  },
  {
    stream: 'b',
    events: [
      [NOW - 40, 'b0'],
      [NOW - 30, 'b1'],
      [NOW - 20, 'b2'],
    ],
  },
  {
    stream: 'a',
    events: [
      [NOW - 60, 'a4'],
      [NOW - 30, 'a5'],
      [NOW, 'a6'],
    ],
  },
  {
    stream: 'b',
    events: [
      [NOW - 30, 'b3'],
      [NOW - 30, 'b4'],
    ],
  },
  { stream: 'a', events: [[NOW - 20, 'a7']] },
];

/** The order the service returns events in: by timestamp, then put order, then place in the put. */
function expectedOrder(stream?: string): string[] {
  return BATCHES.flatMap((batch, put) =>
    batch.events.map(([timestamp, message], index) => ({
      stream: batch.stream,
      timestamp,
      put,
      index,
      message,
    })),
  )
    .filter((event) => stream === undefined || event.stream === stream)
    .sort((x, y) => x.timestamp - y.timestamp || x.put - y.put || x.index - y.index)
    .map((event) => event.message);
}

async function putAll(logs: CloudWatchLogsClient): Promise<void> {
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  for (const logStreamName of ['a', 'b']) {
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
  }
  for (const { stream, events } of BATCHES) {
    await logs.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: stream,
        logEvents: events.map(([timestamp, message]) => ({ timestamp, message })),
      }),
    );
  }
}

/** A stream's events paged both ways two at a time, and the group's filtered both ways likewise. */
async function readEverything(logs: CloudWatchLogsClient) {
  const forward = async (logStreamName: string) => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    for (;;) {
      const page = await logs.send(
        new GetLogEventsCommand({ logGroupName, logStreamName, startFromHead: true, limit: 2, nextToken }),
      );
      if (page.nextForwardToken === nextToken) return seen;
      seen.push(...(page.events ?? []).map((event) => event.message!));
      nextToken = page.nextForwardToken;
    }
  };
  const backward = async (logStreamName: string) => {
    const pages: string[][] = [];
    let nextToken: string | undefined;
    for (;;) {
      const page = await logs.send(
        new GetLogEventsCommand({ logGroupName, logStreamName, limit: 2, nextToken }),
      );
      if (page.nextBackwardToken === nextToken) return pages.reverse().flat();
      pages.push((page.events ?? []).map((event) => event.message!));
      nextToken = page.nextBackwardToken;
    }
  };
  const filter = async (startFromHead: boolean) => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await logs.send(
        new FilterLogEventsCommand({
          logGroupName,
          startTime: NOW - DAY,
          startFromHead,
          limit: 3,
          nextToken,
        }),
      );
      seen.push(...(page.events ?? []).map((event) => event.message!));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return seen;
  };
  return {
    a: await forward('a'),
    aBackward: await backward('a'),
    b: await forward('b'),
    group: await filter(true),
    groupNewestFirst: await filter(false),
  };
}

const EXPECTED = {
  a: expectedOrder('a'),
  aBackward: expectedOrder('a'),
  b: expectedOrder('b'),
  group: expectedOrder(),
  groupNewestFirst: expectedOrder().reverse(),
};

describe('LogStore', () => {
  let dir: string;
  let local: LocalFixture | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keystage-log-store-'));
  });
  afterEach(async () => {
    await local?.endpoint.close();
    local = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('merges batches that overlap in time by [timestamp, put, index], paging either way', async () => {
    local = await startLocal({ now: () => NOW });
    const logs = local.logs();
    await putAll(logs);
    expect(await readEverything(logs)).toEqual(EXPECTED);
  });

  it('reads the same order after a restart from the log, and from a snapshot', async () => {
    local = await startLocal({ inMemory: false, dataDir: dir, now: () => NOW });
    await putAll(local.logs());
    await local.endpoint.close();
    local = await startLocal({ inMemory: false, dataDir: dir, now: () => NOW });
    expect(await readEverything(local.logs())).toEqual(EXPECTED);
    await local.endpoint.close();
    // A log past 1 byte is compacted into a snapshot after the next write.
    local = await startLocal({ inMemory: false, dataDir: dir, now: () => NOW, compactAfterBytes: 1 });
    await local
      .logs()
      .send(new CreateLogGroupCommand({ logGroupName: '/keystage/other' }))
      .then(() => local!.endpoint.close());
    expect(readdirSync(dir).some((name) => name.startsWith('snapshot-'))).toBe(true);
    local = await startLocal({ inMemory: false, dataDir: dir, now: () => NOW });
    expect(await readEverything(local.logs())).toEqual(EXPECTED);
  });

  it('gives back every message exactly, lone surrogates and multi-byte text included, before and after a restart', async () => {
    const messages = ['日本語', '🔑 key', 'lone \ud83d high', '\udc00 lone low', 'é'];
    const read = async (logs: CloudWatchLogsClient) => {
      const { events } = await logs.send(
        new GetLogEventsCommand({ logGroupName, logStreamName: 'a', startFromHead: true }),
      );
      const { logGroups } = await logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }),
      );
      return { messages: events?.map((event) => event.message), storedBytes: logGroups?.[0]?.storedBytes };
    };
    local = await startLocal({ inMemory: false, dataDir: dir, now: () => NOW });
    const logs = local.logs();
    await logs.send(new CreateLogGroupCommand({ logGroupName }));
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'a' }));
    await logs.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: 'a',
        logEvents: messages.map((message, i) => ({ timestamp: NOW - 10 + i, message })),
      }),
    );
    const expected = {
      messages,
      storedBytes: messages.reduce((sum, message) => sum + Buffer.byteLength(message, 'utf8'), 0),
    };
    expect(await read(logs)).toEqual(expected);
    await local.endpoint.close();
    local = await startLocal({ inMemory: false, dataDir: dir, now: () => NOW });
    expect(await read(local.logs())).toEqual(expected);
  });

  it('loads a data directory whose rows were written as plain JSON batches', async () => {
    // The rows exactly as an endpoint writes them: groups, streams, and batches of
    // [timestamp, message] pairs (the format on disk since batches were first stored).
    const data = DataDir.open(dir, nodeFileSystem);
    const tables = ['logs-groups', 'logs-streams', 'logs-batches'].map(
      (name) => new Table<unknown>(name, (row) => row),
    );
    const journal = Journal.open({ dir: data, files: nodeFileSystem, tables });
    const tx = new Transaction();
    tx.put(tables[0]!, `us-east-1\n${logGroupName}`, {
      id: 1,
      region: 'us-east-1',
      name: logGroupName,
      createdAt: NOW - DAY,
      tags: {},
      logGroupClass: 'STANDARD',
      deletionProtection: false,
    });
    tx.put(tables[1]!, `1\na`, {
      id: 2,
      groupId: 1,
      name: 'a',
      createdAt: NOW - DAY,
      firstEventTimestamp: NOW - 20,
      lastEventTimestamp: NOW - 5,
      lastIngestionTime: NOW - 1,
      puts: 2,
    });
    tx.put(tables[2]!, '3', {
      id: 3,
      groupId: 1,
      streamId: 2,
      ingestedAt: NOW - 2,
      events: [
        [NOW - 20, 'first'],
        [NOW - 5, 'fourth'],
      ],
    });
    tx.put(tables[2]!, '4', {
      id: 4,
      groupId: 1,
      streamId: 2,
      ingestedAt: NOW - 1,
      events: [
        [NOW - 10, 'second'],
        [NOW - 10, 'third'],
      ],
    });
    await journal.commit(tx);
    await journal.close();
    data.releaseSync();

    local = await startLocal({ inMemory: false, dataDir: dir, now: () => NOW });
    const logs = local.logs();
    const { events } = await logs.send(
      new GetLogEventsCommand({ logGroupName, logStreamName: 'a', startFromHead: true }),
    );
    expect(events?.map((event) => [event.message, event.ingestionTime])).toEqual([
      ['first', NOW - 2],
      ['second', NOW - 1],
      ['third', NOW - 1],
      ['fourth', NOW - 2],
    ]);
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }));
    expect(logGroups?.[0]?.storedBytes).toBe(22);
    // New batches take ids after the loaded ones and sort after them at equal timestamps.
    await logs.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: 'a',
        logEvents: [{ timestamp: NOW - 10, message: 'new' }],
      }),
    );
    const { events: filtered } = await logs.send(new FilterLogEventsCommand({ logGroupName }));
    expect(filtered?.map((event) => event.message)).toEqual(['first', 'second', 'third', 'new', 'fourth']);
  });

  it('keeps every acknowledged batch, whole and in order, over kills with -9 during puts', async () => {
    const client = (url: string) =>
      new CloudWatchLogsClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });
    const base = Date.now() - 60_000;
    const sent: string[][] = [];
    const acknowledged = new Set<number>();
    let running: RunningLocal | undefined;
    try {
      for (let round = 0; round < 4; round++) {
        running = await startLocalProcess(dir);
        const logs = client(running.url);
        if (round === 0) {
          await logs.send(new CreateLogGroupCommand({ logGroupName }));
          await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 's' }));
        }
        let stop = false;
        const writer = (async () => {
          while (!stop) {
            const put = sent.length;
            const messages = Array.from({ length: 50 }, (_, i) => `${put}:${i}`);
            sent.push(messages);
            try {
              await logs.send(
                new PutLogEventsCommand({
                  logGroupName,
                  logStreamName: 's',
                  logEvents: messages.map((message, i) => ({ timestamp: base + put * 50 + i, message })),
                }),
              );
              acknowledged.add(put);
            } catch {
              return; // the process is gone: this put was never acknowledged
            }
          }
        })();
        await new Promise((resolve) => setTimeout(resolve, randomInt(50, 150)));
        running.child.kill('SIGKILL');
        await running.exited;
        stop = true;
        await writer;
        logs.destroy();
      }
      running = await startLocalProcess(dir);
      const logs = client(running.url);
      const read: string[] = [];
      let nextToken: string | undefined;
      for (;;) {
        const page = await logs.send(
          new GetLogEventsCommand({ logGroupName, logStreamName: 's', startFromHead: true, nextToken }),
        );
        if (page.nextForwardToken === nextToken) break;
        read.push(...(page.events ?? []).map((event) => event.message!));
        nextToken = page.nextForwardToken;
      }
      logs.destroy();
      // Whole batches in put order: every acknowledged one, and perhaps one whose answer the kill took.
      const present = [...new Set(read.map((message) => Number(message.split(':')[0])))];
      expect(read).toEqual(present.flatMap((put) => sent[put]!));
      expect(present).toEqual([...present].sort((x, y) => x - y));
      for (const put of acknowledged) expect(present).toContain(put);
      expect(present.length - acknowledged.size).toBeLessThanOrEqual(4);
      expect(acknowledged.size).toBeGreaterThan(0);
    } finally {
      if (running !== undefined && running.child.exitCode === null) {
        running.child.kill('SIGKILL');
        await running.exited;
      }
    }
  }, 120_000);
});
