// Counts loads of the CloudWatch Logs SDK module: the factory runs when something first requires it.
const mockLogsLoads = { count: 0 };
jest.mock('@aws-sdk/client-cloudwatch-logs', () => {
  mockLogsLoads.count += 1;
  return jest.requireActual('@aws-sdk/client-cloudwatch-logs');
});

import { Writable } from 'node:stream';
import { CloudWatchLogsAuditSink, JsonLinesAuditSink } from '../../../lib/audit';
import { entry } from './audit-fixtures';

describe('the CloudWatch Logs SDK', () => {
  it('is not loaded by importing the audit module, nor by auditing elsewhere', async () => {
    const lines: string[] = [];
    const sink = new JsonLinesAuditSink({
      stream: new Writable({
        write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()),
      }),
    });
    await sink.record(entry(), true);
    expect(lines).toHaveLength(1);
    expect(mockLogsLoads.count).toBe(0);
  });

  it('is loaded by the first CloudWatchLogsAuditSink', () => {
    new CloudWatchLogsAuditSink({ logGroupName: '/keystage/audit', clientConfig: { region: 'us-east-1' } });
    expect(mockLogsLoads.count).toBe(1);
  });
});
