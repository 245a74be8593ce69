import { FrequencySketch, HASH_MASK, hashKey } from '../../../lib/cache/frequency-sketch';

describe('FrequencySketch', () => {
  describe('frequency', () => {
    it('never underestimates, up to the 4-bit cap of 15', () => {
      const sketch = new FrequencySketch(1000);
      sketch.ensureCapacity(1000);
      const counts = Array.from({ length: 500 }, (_, i) => i % 20);
      counts.forEach((count, i) => sketch.increment(hashKey(`k${i}`, 1), count));
      for (const [i, count] of counts.entries())
        expect(sketch.frequency(hashKey(`k${i}`, 1))).toBeGreaterThanOrEqual(Math.min(15, count));
    });

    it('halves every count after 10 reads per secret it is sized for', () => {
      const sketch = new FrequencySketch(16); // 16 secrets: halving after 160 reads
      const hot = hashKey('hot', 1);
      sketch.increment(hot, 12);
      expect(sketch.frequency(hot)).toBe(12);
      for (let i = 0; i < 148; i++) sketch.increment(hashKey(`one-off/${i}`, 1));
      expect(sketch.frequency(hot)).toBe(6);
    });
  });

  describe('bounds', () => {
    it('holds 8 bytes per secret of maxEntries (rounded up to a power of two), however much it grows', () => {
      const sketch = new FrequencySketch(1000);
      for (const size of [10, 100, 1000, 1_000_000]) sketch.ensureCapacity(size);
      expect(sketch.bytes).toBe(8 * 1024);
    });

    it('starts small for a large maxEntries and grows with the cache', () => {
      const sketch = new FrequencySketch(1_000_000);
      expect(sketch.bytes).toBe(8 * 16);
      sketch.ensureCapacity(5000);
      expect(sketch.bytes).toBe(8 * 8192);
    });
  });

  describe('hashKey', () => {
    it('depends on its seed, so colliding keys cannot be chosen without it', () => {
      const keys = Array.from({ length: 100 }, (_, i) => `prod/app/${i}`);
      const differing = keys.filter((key) => hashKey(key, 1) !== hashKey(key, 2));
      expect(differing.length).toBeGreaterThan(95);
      expect(hashKey('prod/app/db', 7)).toBe(hashKey('prod/app/db', 7));
    });

    it('leaves the low bits free for the eviction policy', () => {
      for (let i = 0; i < 100; i++) expect(hashKey(`k${i}`, i) & ~HASH_MASK).toBe(0);
    });
  });
});
