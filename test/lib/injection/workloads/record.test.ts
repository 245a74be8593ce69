import {
  readRecord,
  recordChanges,
  recordTags,
  sameVersion,
  versionWord,
  type JobRecord,
} from '../../../../lib/injection/workloads/record';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/billing/db-AbCdEf';
const record = (names: string[], versions: Array<[string, string]> = []): JobRecord => ({
  id: 'job-1',
  digest: 'd'.repeat(43),
  container: 'app',
  names,
  versions: new Map(versions.map(([arn, version]) => versionWord(arn, version))),
  layerAdded: false,
});

describe('job record tags', () => {
  it('round-trips through tags', () => {
    const original = record(['DB_USER', 'DB_PASSWORD'], [[ARN, 'v1-0000000000000000000000000000000000']]);
    expect(readRecord(recordTags(original))).toEqual(original);
  });

  it('splits long lists over numbered tags of at most 256 characters, the first led by the count', () => {
    const names = Array.from({ length: 40 }, (_, i) => `VARIABLE_NUMBER_${String(i).padStart(2, '0')}`);
    const tags = recordTags(record(names));
    const keys = Object.keys(tags).filter((key) => key.startsWith('keystage:injection:names'));
    expect(keys).toEqual([
      'keystage:injection:names',
      'keystage:injection:names.2',
      'keystage:injection:names.3',
      'keystage:injection:names.4',
    ]);
    expect(tags['keystage:injection:names']!.startsWith('4 VARIABLE_NUMBER_00 ')).toBe(true);
    for (const value of Object.values(tags)) expect(value.length).toBeLessThanOrEqual(256);
    for (const value of Object.values(tags)) expect(value).toMatch(/^[\p{L}\p{N} +\-=._:/@]*$/u);
    expect(readRecord(tags)!.names).toEqual(names);
  });

  it('ignores a numbered tag left over from a longer list (the count says how many belong)', () => {
    const long = recordTags(record(Array.from({ length: 40 }, (_, i) => `VARIABLE_NUMBER_${i}`)));
    const short = recordTags(record(['DB_USER']));
    // TagResource of the short record succeeded; UntagResource of the leftovers did not.
    const left = { ...long, ...short };
    expect(readRecord(left)!.names).toEqual(['DB_USER']);
    expect(recordChanges(left, short).remove).toEqual([
      'keystage:injection:names.2',
      'keystage:injection:names.3',
      'keystage:injection:names.4',
    ]);
  });

  it('writes only what changed and removes only record tags', () => {
    const current = { team: 'billing', ...recordTags(record(['A1'])) };
    const next = recordTags(record(['A1', 'B2']));
    expect(recordChanges(current, next)).toEqual({
      set: { 'keystage:injection:names': '1 A1 B2' },
      remove: [],
    });
    expect(recordChanges(current, {}).remove).not.toContain('team');
  });

  it('tells a recorded version from another, and says when it recorded none', () => {
    const held = record(['A1'], [[ARN, 'v1-0000000000000000000000000000000000']]);
    expect(sameVersion(held, ARN, 'v1-0000000000000000000000000000000000')).toBe(true);
    expect(sameVersion(held, ARN, 'v2-0000000000000000000000000000000000')).toBe(false);
    expect(sameVersion(held, `${ARN}x`, 'v1-0000000000000000000000000000000000')).toBeUndefined();
  });

  it('reads no record from a target without the id tag', () => {
    expect(readRecord({ team: 'billing' })).toBeUndefined();
  });
});
