import { copyToken, type CopyTokenParts } from '../../../../lib/transfer/copy/copy-token';

const PARTS: CopyTokenParts = {
  sourceArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/billing/db-AbCdEf',
  sourceVersionId: '11111111-2222-4333-8444-555555555555',
  target: 'staging/billing/db',
  targetVersionId: '',
  transforms: 'f'.repeat(64),
};

describe('copyToken', () => {
  it('is a version-8 UUID, inside ClientRequestToken limits (32 to 64 characters)', () => {
    const token = copyToken(PARTS);
    expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(token.length).toBeLessThanOrEqual(64);
  });

  it('is the same for the same parts', () => {
    expect(copyToken({ ...PARTS })).toBe(copyToken(PARTS));
  });

  it.each(Object.keys(PARTS) as Array<keyof CopyTokenParts>)('changes with %s', (part) => {
    expect(copyToken({ ...PARTS, [part]: `${PARTS[part]}x` })).not.toBe(copyToken(PARTS));
  });

  it('does not confuse parts that concatenate alike', () => {
    expect(copyToken({ ...PARTS, target: 'a', targetVersionId: 'b' })).not.toBe(
      copyToken({ ...PARTS, target: 'ab', targetVersionId: '' }),
    );
  });
});
