import { RequestIds } from '../../../../lib/client/pipeline/request-ids';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('RequestIds', () => {
  describe('next', () => {
    it('gives random version 4 UUIDs, across many refills of its buffer', () => {
      const ids = new RequestIds();
      const made = Array.from({ length: 3000 }, () => ids.next());
      for (const id of made) expect(id).toMatch(UUID_V4);
      expect(new Set(made).size).toBe(made.length);
    });

    it('uses every hex digit in every random position (no fixed pattern)', () => {
      const ids = new RequestIds();
      const seen = Array.from({ length: 36 }, () => new Set<string>());
      for (let i = 0; i < 2000; i++) [...ids.next()].forEach((char, at) => seen[at]!.add(char));
      const fixed = new Map([
        [8, 1],
        [13, 1],
        [14, 1],
        [18, 1],
        [19, 4],
        [23, 1],
      ]);
      seen.forEach((chars, at) => expect([at, chars.size]).toEqual([at, fixed.get(at) ?? 16]));
    });

    it('gives two generators different ids', () => {
      const a = Array.from({ length: 200 }, () => new RequestIds().next());
      expect(new Set(a).size).toBe(a.length);
    });
  });
});
