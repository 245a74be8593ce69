import { inspect } from 'node:util';
import {
  OAuthClientCredentials,
  checkOAuthClientInput,
  checkRedirectUri,
  generateOAuthClient,
} from '../../../lib/generate';
import { checkSecretShape } from '../../../lib/organise/kinds';

const INPUT = { clientId: 'billing-web', redirectUri: 'https://billing.example.com/auth/callback' };
const PLANTED = 'Pl4ntedClientSecret-0123456789';

describe('generateOAuthClient', () => {
  it('generates a client secret of 32 random bytes (base64url) when none is given', () => {
    const client = generateOAuthClient(INPUT);
    expect(client.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateOAuthClient(INPUT).clientSecret).not.toBe(client.clientSecret);
  });

  it('keeps a client secret the provider issued', () => {
    expect(generateOAuthClient({ ...INPUT, clientSecret: PLANTED }).clientSecret).toBe(PLANTED);
  });

  it('stores { client_id, client_secret, redirect_uri }, which the oauth-client kind accepts', () => {
    const stored = generateOAuthClient({ ...INPUT, clientSecret: PLANTED }).toSecretString();
    expect(JSON.parse(stored)).toEqual({
      client_id: 'billing-web',
      client_secret: PLANTED,
      redirect_uri: INPUT.redirectUri,
    });
    expect(() => checkSecretShape('oauth-client', stored)).not.toThrow();
  });

  it('never shows the client secret in JSON, inspect, String or a spread', () => {
    const client = generateOAuthClient({ ...INPUT, clientSecret: PLANTED });
    expect(client).toBeInstanceOf(OAuthClientCredentials);
    const shown = [
      JSON.stringify(client),
      inspect(client),
      String(client),
      JSON.stringify({ ...client }),
    ].join('\n');
    expect(shown).not.toContain(PLANTED);
    expect(JSON.stringify(client)).toContain('[REDACTED]');
  });

  it.each([
    [{ ...INPUT, clientId: '' }, 'oauth.clientId'],
    [{ ...INPUT, clientId: ' padded' }, 'oauth.clientId'],
    [{ ...INPUT, clientId: 'x'.repeat(513) }, 'oauth.clientId'],
    [{ ...INPUT, redirectUri: 'billing.example.com/cb' }, 'oauth.redirectUri'],
    [{ ...INPUT, redirectUri: 'ftp://billing.example.com/cb' }, 'oauth.redirectUri'],
    [{ ...INPUT, redirectUri: 'http://billing.example.com/cb' }, 'oauth.redirectUri'],
    [{ ...INPUT, clientSecret: 'short' }, 'oauth.clientSecret'],
    [{ ...INPUT, clientSecret: `${PLANTED} with spaces` }, 'oauth.clientSecret'],
  ])('refuses %p, naming %s', (input, field) => {
    expect(() => generateOAuthClient(input)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', field }),
    );
  });

  it('never quotes a refused client secret', () => {
    try {
      checkOAuthClientInput({ ...INPUT, clientSecret: `${PLANTED} x` });
      throw new Error('expected a refusal');
    } catch (error) {
      expect([String(error), JSON.stringify(error), inspect(error)].join('\n')).not.toContain(PLANTED);
    }
  });

  it('refuses input that is not an object', () => {
    expect(() => generateOAuthClient(null as never)).toThrow(expect.objectContaining({ field: 'oauth' }));
  });
});

describe('checkRedirectUri', () => {
  it.each([
    'https://app.example.com/cb?x=1',
    'http://localhost:3000/cb',
    'http://127.0.0.1/cb',
    'http://[::1]:8080/cb',
  ])('accepts %s', (uri) => {
    expect(checkRedirectUri(uri, 'uri')).toBe(uri);
  });

  it.each([
    'https://app.example.com/cb#frag',
    'https://user:pw@app.example.com/cb',
    'javascript:alert(1)',
    'http://localhost.example.com/cb',
  ])('refuses %s', (uri) => {
    expect(() => checkRedirectUri(uri, 'uri')).toThrow(expect.objectContaining({ field: 'uri' }));
  });
});
