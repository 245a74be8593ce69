import { isDeepStrictEqual } from 'node:util';
import { FingerprintSet, Fingerprints } from '../../../../lib/transfer/import/fingerprints';
import { PlanLog, type SecretDecision } from '../../../../lib/transfer/import/plan-log';

const decisions: SecretDecision[] = [
  { action: 'created', skip: undefined, versions: 3, same: false, retag: 0n, resumed: false },
  { action: 'updated', skip: undefined, versions: 0, same: true, retag: 1n, resumed: false },
  {
    action: 'updated',
    skip: undefined,
    versions: 70_000,
    same: false,
    retag: (1n << 50n) | 5n,
    resumed: true,
  },
  { action: 'unchanged', skip: undefined, versions: 0, same: false, retag: 0n, resumed: true },
  { action: 'skipped', skip: 'map', versions: 0, same: false, retag: 0n, resumed: false },
  { action: 'skipped', skip: 'exists', versions: 0, same: false, retag: 0n, resumed: false },
  { action: 'skipped', skip: 'encrypted-json', versions: 0, same: false, retag: 0n, resumed: false },
];

describe('PlanLog', () => {
  it('gives back every decision and fingerprint as logged, across its chunks', () => {
    const fingerprints = new Fingerprints();
    const log = new PlanLog();
    const count = 5_000; // more than one chunk
    const prints = Array.from({ length: count }, (_, i) => fingerprints.of('secret', String(i)));

    const positions = prints.map((print) => log.add(print));
    for (let i = count - 1; i >= 0; i--) log.decide(i, decisions[i % decisions.length]!);

    expect(positions).toEqual(prints.map((_, i) => i));
    expect(log.length).toBe(count);
    const wrong = prints.filter(
      (print, i) =>
        !log.fingerprint(i).equals(print) ||
        !isDeepStrictEqual(log.decision(i), decisions[i % decisions.length]),
    );
    expect(wrong).toEqual([]);
  });
});

describe('Fingerprints', () => {
  it('tells parts apart however they are cut, and draws a new key for each instance', () => {
    const fingerprints = new Fingerprints();

    expect(fingerprints.of('ab', 'c').equals(fingerprints.of('a', 'bc'))).toBe(false);
    expect(fingerprints.of('a').equals(fingerprints.of('a'))).toBe(true);
    expect(fingerprints.of('a').equals(new Fingerprints().of('a'))).toBe(false);
  });
});

describe('FingerprintSet', () => {
  it('finds every member again as it grows, and no stranger', () => {
    const fingerprints = new Fingerprints();
    const set = new FingerprintSet();
    const count = 20_000;

    const added = Array.from({ length: count }, (_, i) => set.add(fingerprints.of(`name-${i}`)));
    const again = Array.from({ length: count }, (_, i) => set.add(fingerprints.of(`name-${i}`)));

    expect(added.every(Boolean)).toBe(true);
    expect(again.some(Boolean)).toBe(false);
    expect(set.size).toBe(count);
    expect(set.add(fingerprints.of('stranger'))).toBe(true);
  });

  it('keeps a fingerprint of all zero bits, which marks an empty slot', () => {
    const set = new FingerprintSet();

    expect(set.add(Buffer.alloc(8))).toBe(true);
    expect(set.add(Buffer.alloc(8))).toBe(false);
    expect(set.size).toBe(1);
  });
});
