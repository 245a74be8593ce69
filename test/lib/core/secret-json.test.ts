import { inspect } from 'node:util';
import { parseSecretJson } from '../../../lib/core';

describe('parseSecretJson', () => {
  it('parses the text', () => {
    expect(parseSecretJson({ name: 'prod/db', text: '{"user":"app"}' })).toEqual({ user: 'app' });
  });

  it('refuses a binary secret with DECODE_ERROR', () => {
    expect(() => parseSecretJson({ name: 'prod/db', text: undefined })).toThrow(
      expect.objectContaining({ code: 'DECODE_ERROR', secretId: 'prod/db' }),
    );
  });

  it('never shows the text it could not parse, not even in the cause', () => {
    let error: unknown;
    try {
      parseSecretJson({ name: 'prod/db', text: 'not-json-Canary-1234' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'DECODE_ERROR' });
    expect(inspect(error, { depth: 10 })).not.toContain('Canary-1234');
  });
});
