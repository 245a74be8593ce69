import { encodeSecretValue } from '../../../lib/client/encode-value';
import { generateDatabaseCredentials } from '../../../lib/generate';

describe('encodeSecretValue', () => {
  it('stores strings as SecretString and bytes as SecretBinary', () => {
    expect(encodeSecretValue('s')).toEqual({ SecretString: 's' });
    expect(encodeSecretValue(new Uint8Array([1]))).toEqual({ SecretBinary: new Uint8Array([1]) });
    expect(encodeSecretValue(Buffer.from('b'))).toEqual({ SecretBinary: Buffer.from('b') });
  });

  it('stores objects as JSON, and self-redacting ones through toSecretString', () => {
    expect(encodeSecretValue({ a: [1] })).toEqual({ SecretString: '{"a":[1]}' });
    const credentials = generateDatabaseCredentials({ engine: 'postgres', host: 'h', username: 'u' });
    expect(encodeSecretValue(credentials)).toEqual({ SecretString: credentials.toSecretString() });
  });

  it.each([[null], [undefined], [12], [true]])('rejects %p', (value) => {
    expect(() => encodeSecretValue(value)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'value' }),
    );
  });
});
