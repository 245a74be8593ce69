import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AuditEvent } from '../../../../lib/audit/audit-event';
import { accessReport, incidentReport, jsonLinesEvents, usageMetrics } from '../../../../lib/audit/reports';
import type { AuditRecord, AuditRecordSource } from '../../../../lib/audit/reports';
import { FROM, TO, generatedEvents } from './fixtures';

// A real collection before each sample, so the heap measures what is kept, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const COUNT = 100_000;
const MB = 1024 * 1024;

/**
 * The growth of the heap between the 10,000th and the last of COUNT records, sampled as
 * `consume` takes them from `source`. Streaming keeps it flat; keeping the events grows it by
 * tens of MB (each event is about 1 KB as an object).
 */
async function heapGrowth(
  consume: (events: AuditRecordSource) => Promise<unknown>,
  source: AuditRecordSource = generatedEvents({ count: COUNT }),
): Promise<number> {
  const samples: number[] = [];
  async function* sampled(): AsyncGenerator<AuditRecord> {
    let taken = 0;
    for await (const record of source) {
      taken += 1;
      if (taken === 10_000 || taken === COUNT) {
        gc();
        samples.push(process.memoryUsage().heapUsed);
      }
      yield record;
    }
  }
  await consume(sampled());
  expect(samples).toHaveLength(2);
  return samples[1]! - samples[0]!;
}

describe('memory over 10^5 events', () => {
  it('the check notices a consumer that keeps the events (it can fail)', async () => {
    const kept: AuditEvent[] = [];
    const growth = await heapGrowth(async (events) => {
      for await (const event of events) kept.push(event as AuditEvent);
    });
    expect(growth).toBeGreaterThan(20 * MB);
  });

  it('stays flat in usageMetrics', async () => {
    expect(await heapGrowth((events) => usageMetrics(events, { from: FROM, to: TO }))).toBeLessThan(4 * MB);
  });

  it('stays flat in accessReport (bounded by its rows)', async () => {
    expect(await heapGrowth((events) => accessReport(events, { from: FROM, to: TO }))).toBeLessThan(4 * MB);
  });

  it('stays flat in incidentReport (bounded by its groups)', async () => {
    // Fewer distinct principals, services and secrets, so the groups are all there by the first sample.
    const source = generatedEvents({ count: COUNT, principals: 10, services: 3, secrets: 5 });
    const growth = await heapGrowth((events) => incidentReport(events, { from: FROM, to: TO }), source);
    expect(growth).toBeLessThan(4 * MB);
  });

  describe('from a JSON lines file', () => {
    let dir: string;
    let path: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'keystage-reports-memory-'));
      path = join(dir, 'audit.jsonl');
      let batch = '';
      for (const event of generatedEvents({ count: COUNT })) {
        batch += `${JSON.stringify(event)}\n`;
        if (batch.length > 1_000_000) {
          appendFileSync(path, batch);
          batch = '';
        }
      }
      appendFileSync(path, batch);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('stays flat reading it line by line', async () => {
      const growth = await heapGrowth(
        (events) => usageMetrics(events, { from: FROM, to: TO }),
        jsonLinesEvents({ path }),
      );
      expect(growth).toBeLessThan(4 * MB);
    });
  });
});
