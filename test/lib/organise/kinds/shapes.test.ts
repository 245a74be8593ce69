import { inspect } from 'node:util';
import { SECRET_KINDS, type SecretKind } from '../../../../lib/core';
import { ValidationError } from '../../../../lib/errors';
import { generateApiKey, generateOAuthClient, generateWebhookSecret } from '../../../../lib/generate';
import { SECRET_KIND_SPECS, checkSecretShape, kindOf } from '../../../../lib/organise/kinds';

/** A value no message may contain: tests plant it in the field that is wrong. */
const PLANTED = 'Pl4ntedS3cretValue-do-not-show';

const pem = (label: string) =>
  `-----BEGIN ${label}-----\nMIIBkTCB+wIJAKHBfpegPjMCMA0GCSqGSIb3\n-----END ${label}-----\n`;

/** One value of the right shape for every kind. */
const VALID: Readonly<Record<SecretKind, string | Uint8Array>> = {
  database: JSON.stringify({ engine: 'postgres', host: 'db.internal', username: 'app', password: PLANTED }),
  'api-key': generateApiKey(),
  'symmetric-key': new Uint8Array(32),
  'data-key': JSON.stringify({
    keyId: 'arn:aws:kms:eu-west-1:123456789012:key/k',
    wrappedKey: 'AQID',
    keySpec: 'AES_256',
  }),
  generic: 'any text at all',
  json: '[1,2]',
  certificate: JSON.stringify({ certificate: pem('CERTIFICATE'), privateKey: pem('PRIVATE KEY'), chain: '' }),
  'encrypted-json': '{"a":1}',
  'oauth-client': generateOAuthClient({
    clientId: 'web',
    redirectUri: 'https://app.example.com/cb',
  }).toSecretString(),
  'webhook-secret': generateWebhookSecret(),
};

/** The error a shape check throws, with everything a person could be shown of it. */
function refusal(kind: SecretKind, value: string | Uint8Array): { error: ValidationError; shown: string } {
  try {
    checkSecretShape(kind, value);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const shown = [String(error), JSON.stringify(error), inspect(error, { depth: 5 })].join('\n');
    return { error: error as ValidationError, shown };
  }
  throw new Error(`expected ${kind} to refuse the value`);
}

describe('SECRET_KIND_SPECS', () => {
  it('has a spec, a shape and a rotation recommendation for every kind', () => {
    for (const kind of SECRET_KINDS) {
      const spec = SECRET_KIND_SPECS[kind];
      expect(spec.kind).toBe(kind);
      expect(spec.shape.length).toBeGreaterThan(0);
      expect(spec.rotation.days).toBeGreaterThan(0);
      expect(spec.rotation.reason.length).toBeGreaterThan(0);
    }
  });

  it.each(SECRET_KINDS)('%s accepts a value of its shape', (kind) => {
    expect(() => checkSecretShape(kind, VALID[kind])).not.toThrow();
  });

  it('recommends the product’s rotation: database monthly, API keys quarterly, webhook secrets semi-annually', () => {
    expect(SECRET_KIND_SPECS.database.rotation.days).toBe(30);
    expect(SECRET_KIND_SPECS['api-key'].rotation.days).toBe(90);
    expect(SECRET_KIND_SPECS['webhook-secret'].rotation.days).toBe(182);
  });
});

describe('kindOf', () => {
  it('knows keystage kinds and nothing else', () => {
    expect(kindOf('oauth-client')).toBe('oauth-client');
    expect(kindOf('distribution')).toBeUndefined();
    expect(kindOf(undefined)).toBeUndefined();
  });
});

describe('shape checks', () => {
  // [kind, a wrong value with PLANTED in it, the field named]
  const WRONG: ReadonlyArray<readonly [string, SecretKind, string | Uint8Array, string]> = [
    [
      'database without host',
      'database',
      JSON.stringify({ engine: 'postgres', username: 'u', password: PLANTED }),
      'value.host',
    ],
    [
      'database with a bad port',
      'database',
      JSON.stringify({ engine: 'postgres', host: 'h', username: 'u', password: PLANTED, port: 'x' }),
      'value.port',
    ],
    [
      'database with an engine it does not know',
      'database',
      JSON.stringify({ engine: PLANTED, host: 'h', username: 'u', password: 'p' }),
      'value.engine',
    ],
    ['database that is not JSON', 'database', `password=${PLANTED}`, 'value'],
    ['database as bytes', 'database', new TextEncoder().encode(PLANTED), 'value'],
    ['api-key with a space', 'api-key', `${PLANTED} x`, 'value'],
    ['api-key with a trailing newline', 'api-key', `${PLANTED}\n`, 'value'],
    ['api-key too short', 'api-key', 'Pl4nted', 'value'],
    ['symmetric-key of 31 bytes', 'symmetric-key', new Uint8Array(31), 'value'],
    ['symmetric-key as text that is not base64', 'symmetric-key', PLANTED, 'value'],
    ['data-key without wrappedKey', 'data-key', JSON.stringify({ keyId: PLANTED }), 'value.wrappedKey'],
    [
      'data-key with a wrappedKey not base64',
      'data-key',
      JSON.stringify({ keyId: 'k', wrappedKey: `${PLANTED}!` }),
      'value.wrappedKey',
    ],
    [
      'data-key with an unknown keySpec',
      'data-key',
      JSON.stringify({ keyId: 'k', wrappedKey: 'AQID', keySpec: PLANTED }),
      'value.keySpec',
    ],
    ['json that is a scalar', 'json', JSON.stringify(PLANTED), 'value'],
    ['json that is not JSON', 'json', `{${PLANTED}`, 'value'],
    ['encrypted-json that is not JSON', 'encrypted-json', `{"a": ${PLANTED}`, 'value'],
    [
      'certificate without a private key',
      'certificate',
      JSON.stringify({ certificate: pem('CERTIFICATE'), note: PLANTED }),
      'value.privateKey',
    ],
    [
      'certificate whose key is no PEM',
      'certificate',
      JSON.stringify({ certificate: pem('CERTIFICATE'), privateKey: PLANTED }),
      'value.privateKey',
    ],
    [
      'certificate that is no PEM',
      'certificate',
      JSON.stringify({ certificate: PLANTED, privateKey: pem('PRIVATE KEY') }),
      'value.certificate',
    ],
    [
      'oauth-client with a short secret',
      'oauth-client',
      JSON.stringify({ client_id: 'web', client_secret: 'Pl4nted', redirect_uri: 'https://a.example/cb' }),
      'value.client_secret',
    ],
    [
      'oauth-client over plain http',
      'oauth-client',
      JSON.stringify({
        client_id: 'web',
        client_secret: PLANTED,
        redirect_uri: `http://${PLANTED}.example/cb`,
      }),
      'value.redirect_uri',
    ],
    [
      'oauth-client with a fragment',
      'oauth-client',
      JSON.stringify({
        client_id: 'web',
        client_secret: PLANTED,
        redirect_uri: `https://a.example/cb#${PLANTED}`,
      }),
      'value.redirect_uri',
    ],
    [
      'oauth-client with user information',
      'oauth-client',
      JSON.stringify({
        client_id: 'web',
        client_secret: PLANTED,
        redirect_uri: `https://u:${PLANTED}@a.example/cb`,
      }),
      'value.redirect_uri',
    ],
    [
      'oauth-client without client_id',
      'oauth-client',
      JSON.stringify({ client_secret: PLANTED, redirect_uri: 'https://a.example/cb' }),
      'value.client_id',
    ],
    ['oauth-client that is an array', 'oauth-client', JSON.stringify([PLANTED]), 'value'],
    [
      'webhook-secret without whsec_',
      'webhook-secret',
      Buffer.from(PLANTED.repeat(2)).toString('base64'),
      'value',
    ],
    [
      'webhook-secret of 16 bytes',
      'webhook-secret',
      `whsec_${Buffer.alloc(16, 7).toString('base64')}`,
      'value',
    ],
    ['webhook-secret not base64', 'webhook-secret', `whsec_${PLANTED}-${PLANTED}`, 'value'],
  ];

  it.each(WRONG)('refuses %s, and never shows the value', (_what, kind, value, field) => {
    const { error, shown } = refusal(kind, value);
    expect(error.field).toBe(field);
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(shown).not.toContain(PLANTED);
    expect(shown).not.toContain('Pl4nted');
  });

  it('accepts an http redirect to a loopback host', () => {
    for (const host of ['localhost:3000', '127.0.0.1', '[::1]:8080']) {
      const value = JSON.stringify({
        client_id: 'cli',
        client_secret: 'x'.repeat(16),
        redirect_uri: `http://${host}/cb`,
      });
      expect(() => checkSecretShape('oauth-client', value)).not.toThrow();
    }
  });

  it('accepts a webhook secret a provider issued: 24 to 64 bytes, padded or not', () => {
    expect(() => checkSecretShape('webhook-secret', `whsec_${'A'.repeat(32)}`)).not.toThrow();
    expect(() =>
      checkSecretShape('webhook-secret', `whsec_${Buffer.alloc(64, 1).toString('base64')}`),
    ).not.toThrow();
    expect(() =>
      checkSecretShape('webhook-secret', `whsec_${Buffer.alloc(65, 1).toString('base64')}`),
    ).toThrow(ValidationError);
  });

  it('accepts a symmetric key as the base64 text the rotation function writes', () => {
    expect(() => checkSecretShape('symmetric-key', Buffer.alloc(32, 9).toString('base64'))).not.toThrow();
  });

  it('keeps keys of an oauth-client it does not know', () => {
    const value = JSON.stringify({
      client_id: 'web',
      client_secret: 'x'.repeat(20),
      redirect_uri: 'https://a.example/cb',
      scope: 'openid',
    });
    expect(() => checkSecretShape('oauth-client', value)).not.toThrow();
  });

  it('lets generic hold anything', () => {
    expect(() => checkSecretShape('generic', new Uint8Array([0]))).not.toThrow();
    expect(() => checkSecretShape('generic', ' \n ')).not.toThrow();
  });
});
