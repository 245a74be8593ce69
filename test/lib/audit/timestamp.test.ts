import fc from 'fast-check';
import { IsoTimestamps } from '../../../lib/audit/timestamp';

describe('IsoTimestamps', () => {
  describe('format', () => {
    it('writes what Date#toISOString writes, time after time (random times, in and out of order)', () => {
      const timestamps = new IsoTimestamps();
      const around = Date.UTC(2026, 4, 1, 12, 0, 59, 998);
      const times = fc.array(
        fc.oneof(
          fc.integer({ min: around - 5, max: around + 5 }),
          fc.integer({ min: 0, max: 253402300799999 }),
        ),
        { minLength: 1, maxLength: 50 },
      );
      fc.assert(
        fc.property(times, (list) => {
          for (const time of list) expect(timestamps.format(time)).toBe(new Date(time).toISOString());
        }),
        { numRuns: 300 },
      );
    });

    it('gives the same string for every time within one millisecond, and a new one after it', () => {
      const timestamps = new IsoTimestamps();
      const first = timestamps.format(1_777_636_800_000.2);
      expect(timestamps.format(1_777_636_800_000.9)).toBe(first);
      expect(timestamps.format(1_777_636_800_001)).toBe('2026-05-01T12:00:00.001Z');
      expect(timestamps.format(1_777_636_800_000)).toBe(first);
    });

    it('formats years beyond 9999 whole, as Date does', () => {
      const timestamps = new IsoTimestamps();
      expect(timestamps.format(253402300800000)).toBe('+010000-01-01T00:00:00.000Z');
      expect(timestamps.format(253402300800000)).toBe('+010000-01-01T00:00:00.000Z');
    });

    it('throws on a time that is not one, as Date does', () => {
      expect(() => new IsoTimestamps().format(Number.NaN)).toThrow(RangeError);
    });
  });
});
