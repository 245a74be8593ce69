import { pseudonym, pseudonymiser } from '../../../lib/audit/pseudonymise';
import { entry } from './audit-fixtures';

const KEY = Buffer.alloc(32, 5);

describe('pseudonymiser', () => {
  const hide = pseudonymiser({ key: KEY });

  it('replaces user_id, user_email and ip_address with keyed pseudonyms', () => {
    const hidden = hide(entry());
    expect(hidden).toMatchObject({
      user_id: pseudonym(KEY, 'user_id', 'ana'),
      user_email: pseudonym(KEY, 'user_email', 'ana@example.com'),
      ip_address: pseudonym(KEY, 'ip_address', '203.0.113.7'),
    });
    expect(hidden.user_id).toMatch(/^hmac:[0-9a-f]{32}$/);
  });

  it('leaves every other field as it was, and null as null', () => {
    const hidden = hide(entry({ user_email: null }));
    expect(hidden.user_email).toBeNull();
    expect(hidden).toMatchObject({
      service: 'billing',
      secret_name: 'prod/billing/stripe',
      user_agent: 'billing/1.0',
    });
  });

  it('gives the same pseudonym for the same value, so distinct users still count', () => {
    expect(hide(entry()).user_id).toBe(hide(entry({ secret_name: 'other' })).user_id);
    expect(hide(entry({ user_id: 'bob' })).user_id).not.toBe(hide(entry()).user_id);
  });

  it('depends on the key: another key gives other pseudonyms', () => {
    expect(pseudonym(Buffer.alloc(32, 6), 'user_id', 'ana')).not.toBe(pseudonym(KEY, 'user_id', 'ana'));
  });

  it('keeps fields apart: an id and an address with the same text differ', () => {
    expect(pseudonym(KEY, 'user_id', 'x')).not.toBe(pseudonym(KEY, 'ip_address', 'x'));
  });

  it('refuses a key shorter than 32 bytes', () => {
    expect(() => pseudonymiser({ key: Buffer.alloc(16) })).toThrow(
      expect.objectContaining({ field: 'pseudonymise.key' }),
    );
  });
});
