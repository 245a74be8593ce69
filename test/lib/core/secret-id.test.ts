import { isArn, namesSecret, partialArn } from '../../../lib/core';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/billing/db-AbCdEf';
const PARTIAL = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/billing/db';

describe('secret ids', () => {
  describe('partialArn', () => {
    it('drops the six-character suffix of a full secret ARN', () => {
      expect(partialArn(ARN)).toBe(PARTIAL);
    });

    it.each([
      ['a name', 'prod/billing/db'],
      ['another service', 'arn:aws:s3:::bucket-AbCdEf'],
      ['no suffix', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db'],
    ])('is undefined for %s', (_label, id) => {
      expect(partialArn(id)).toBeUndefined();
    });
  });

  describe('namesSecret', () => {
    it.each([
      ['the name', 'prod/billing/db'],
      ['the full ARN', ARN],
      ['the partial ARN', PARTIAL],
    ])('matches %s', (_label, id) => {
      expect(namesSecret(id, 'prod/billing/db', ARN)).toBe(true);
    });

    it.each([
      ['another name', 'prod/billing/db2'],
      ['a longer partial ARN', `${PARTIAL}-x`],
      ['a prefix of the name', 'prod/billing'],
    ])('does not match %s', (_label, id) => {
      expect(namesSecret(id, 'prod/billing/db', ARN)).toBe(false);
    });
  });

  it('tells ARNs from names', () => {
    expect(isArn(ARN)).toBe(true);
    expect(isArn('prod/billing/db')).toBe(false);
  });
});
