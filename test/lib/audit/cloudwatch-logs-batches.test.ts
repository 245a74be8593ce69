import fc from 'fast-check';
import {
  PUT_LOG_EVENTS_LIMITS,
  fitsOneLogBatch,
  planLogBatches,
  type PlannedLogEvent,
} from '../../../lib/audit/cloudwatch-logs-batches';

const { maxEvents, maxBytes, eventOverheadBytes, maxSpanMs } = PUT_LOG_EVENTS_LIMITS;
const HOUR = 3_600_000;

function withinLimits(batch: readonly PlannedLogEvent[]): void {
  expect(batch.length).toBeGreaterThan(0);
  expect(batch.length).toBeLessThanOrEqual(maxEvents);
  expect(batch.reduce((sum, event) => sum + event.bytes + eventOverheadBytes, 0)).toBeLessThanOrEqual(
    maxBytes,
  );
  expect(batch.at(-1)!.timestamp - batch[0]!.timestamp).toBeLessThan(maxSpanMs);
  for (let i = 1; i < batch.length; i++)
    expect(batch[i]!.timestamp).toBeGreaterThanOrEqual(batch[i - 1]!.timestamp);
}

describe('planLogBatches', () => {
  it('splits many small events at 10,000 per batch', () => {
    const events = Array.from({ length: 25_000 }, (_, i) => ({ timestamp: i, bytes: 10, id: i }));
    const batches = planLogBatches(events);
    expect(batches.map((batch) => batch.length)).toEqual([10_000, 10_000, 5_000]);
  });

  it('splits large events before 1,048,576 bytes, counting 26 bytes per event', () => {
    // 1,048,576 / (100,000 + 26) = 10.48: ten events per batch.
    const events = Array.from({ length: 25 }, (_, i) => ({ timestamp: i, bytes: 100_000 }));
    const batches = planLogBatches(events);
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
    batches.forEach(withinLimits);
  });

  it('counts the 26 bytes: events that fit by message size alone do not fit with them', () => {
    // 1024 messages of 1,000 bytes are 1,024,000 bytes; with 26 each, 1,050,624: over.
    const events = Array.from({ length: 1024 }, (_, i) => ({ timestamp: i, bytes: 1000 }));
    const batches = planLogBatches(events);
    expect(batches).toHaveLength(2);
    expect(batches[0]).toHaveLength(Math.floor(maxBytes / 1026));
  });

  it('starts a new batch 24 hours after a batch’s first event', () => {
    const events = [0, 1, 23, 24, 25, 49].map((hour) => ({ timestamp: hour * HOUR, bytes: 10 }));
    const batches = planLogBatches(events);
    expect(batches.map((batch) => batch.map((event) => event.timestamp / HOUR))).toEqual([
      [0, 1, 23],
      [24, 25],
      [49],
    ]);
  });

  it('keeps every event, in order, and every batch within the limits (random sizes and times)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300_000 }), fc.integer({ min: 0, max: 6 * HOUR })), {
          maxLength: 300,
        }),
        (draws) => {
          let time = 0;
          const events = draws.map(([bytes, step], id) => ({ timestamp: (time += step), bytes, id }));
          const batches = planLogBatches(events);
          batches.forEach(withinLimits);
          expect(batches.flat().map((event) => event.id)).toEqual(events.map((event) => event.id));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('fitsOneLogBatch', () => {
  it('says one batch exactly when planLogBatches makes one (random counts, sizes and spans)', () => {
    const draws = fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 12_000 }), fc.constant(0), fc.constant(0)),
      fc.tuple(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 2 * HOUR }),
      ),
    );
    fc.assert(
      fc.property(draws, ([count, bytes, step]) => {
        const events = Array.from({ length: count }, (_, i) => ({ timestamp: i * step, bytes }));
        const total = events.reduce((sum, event) => sum + event.bytes, 0);
        const span = events.at(-1)!.timestamp - events[0]!.timestamp;
        expect(fitsOneLogBatch(count, total, span)).toBe(planLogBatches(events).length === 1);
      }),
      { numRuns: 300 },
    );
  });

  it('holds at the edges: 10,000 events, 1,048,576 bytes, just under 24 hours', () => {
    expect(fitsOneLogBatch(maxEvents, 0, 0)).toBe(true);
    expect(fitsOneLogBatch(maxEvents + 1, 0, 0)).toBe(false);
    expect(fitsOneLogBatch(1, maxBytes - eventOverheadBytes, 0)).toBe(true);
    expect(fitsOneLogBatch(2, maxBytes - 2 * eventOverheadBytes + 1, 0)).toBe(false);
    expect(fitsOneLogBatch(2, 0, maxSpanMs - 1)).toBe(true);
    expect(fitsOneLogBatch(2, 0, maxSpanMs)).toBe(false);
  });
});
