import { KEYSTAGE_TAGS, SECRET_KINDS, secretName } from '../../../lib/core';

describe('naming', () => {
  describe('secretName', () => {
    it('joins environment, service and name', () => {
      expect(secretName({ environment: 'prod', service: 'billing', name: 'db' })).toBe('prod/billing/db');
    });

    it('leaves out the parts not given', () => {
      expect(secretName({ service: 'billing', name: 'db' })).toBe('billing/db');
      expect(secretName({ name: 'db' })).toBe('db');
    });

    it.each([
      [{ environment: 'pr/od', name: 'db' }, 'environment'],
      [{ service: '', name: 'db' }, 'service'],
      [{ name: 'has space' }, 'name'],
    ])('refuses %p, naming the field %p', (parts, field) => {
      expect(() => secretName(parts)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR', field }));
    });
  });

  it('keeps every tag key under the keystage: prefix', () => {
    expect(Object.values(KEYSTAGE_TAGS).every((key) => key.startsWith('keystage:'))).toBe(true);
  });

  it('lists every kind', () => {
    expect([...SECRET_KINDS].sort()).toEqual([
      'api-key',
      'certificate',
      'data-key',
      'database',
      'encrypted-json',
      'generic',
      'json',
      'oauth-client',
      'symmetric-key',
      'webhook-secret',
    ]);
  });
});
