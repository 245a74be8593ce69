import fc from 'fast-check';
import { EventBatch, type BatchRow } from '../../../../lib/local/logs/event-batch';

/** Any message: any code points, or any UTF-16 code units (lone surrogates included). */
const message = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
    maxLength: 20,
  }),
);

const head = { id: 7, groupId: 2, streamId: 3, ingestedAt: 1_700_000_000_000 };

/** Messages of every kind: ASCII, accented, CJK, emoji (surrogate pairs), empty, lone surrogates. */
const MESSAGES = [
  'plain ascii',
  'é à ü',
  '日本語のログ',
  '🔑 rotated',
  '',
  'half \ud83d pair',
  '\udc00 low first',
];

describe('EventBatch', () => {
  it('gives back every message and timestamp exactly, with each message’s UTF-8 size', () => {
    const events = MESSAGES.map((message, i) => ({ timestamp: 1_700_000_000_000 + i, message }));
    const batch = EventBatch.of(head, events);
    expect(batch.size).toBe(events.length);
    events.forEach((event, i) => {
      expect(batch.message(i)).toBe(event.message);
      expect(batch.timestamp(i)).toBe(event.timestamp);
      expect(batch.messageBytes(i)).toBe(Buffer.byteLength(event.message, 'utf8'));
    });
    expect(batch.bytes).toBe(MESSAGES.reduce((sum, message) => sum + Buffer.byteLength(message, 'utf8'), 0));
  });

  it('writes the row format on disk through JSON, and reads any such row back unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 ** 45 }), message), {
          minLength: 1,
          maxLength: 30,
        }),
        (pairs) => {
          const row: BatchRow = { ...head, events: pairs };
          const batch = EventBatch.fromRow(JSON.parse(JSON.stringify(row)) as BatchRow);
          expect(JSON.parse(JSON.stringify(batch))).toEqual(row);
          expect(batch.bytes).toBe(pairs.reduce((sum, [, text]) => sum + Buffer.byteLength(text), 0));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keys the JSON row as before: id, groupId, streamId, ingestedAt, then [timestamp, message] pairs', () => {
    const batch = EventBatch.of(head, [
      { timestamp: 1, message: 'a' },
      { timestamp: 2, message: 'b' },
    ]);
    expect(JSON.stringify(batch)).toBe(
      '{"id":7,"groupId":2,"streamId":3,"ingestedAt":1700000000000,"events":[[1,"a"],[2,"b"]]}',
    );
  });
});
