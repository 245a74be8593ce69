import { CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { AuditEntry } from '../../../../../lib/audit/audit-event';
import { SecretsClient, type AccessEvaluator, type SecretsClientOptions } from '../../../../../lib/client';
import {
  ConfigurationError,
  PermissionDeniedError,
  SecretRevokedError,
  ValidationError,
} from '../../../../../lib/errors';
import { createCertificateAuthority, generateApiKey, issueCertificate } from '../../../../../lib/generate';
import { FakeClock } from '../../../../support/fake-clock';
import { startLocal, type LocalFixture } from '../../../../support/local-endpoint';

// `test` of the kinds that need no database: a certificate's chain, validity and key, a
// keystage API key's checksum, a data key that KMS unwraps, an encrypted-json value that
// decrypts, the shape of the rest. Through the local endpoint (Secrets Manager and KMS).

const PLANTED = `planted-${randomBytes(9).toString('hex')}`;
const DAY = 86_400_000;

let local: LocalFixture;
let keyArn: string;
let n = 0;
const events: AuditEntry[] = [];

beforeAll(async () => {
  local = await startLocal();
  keyArn = (await local.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  secrets = client().secrets;
});
afterAll(() => local.endpoint.close());

function client(extra: SecretsClientOptions = {}): { secrets: SecretsClient; sm: SecretsManagerClient } {
  const sm = local.sm();
  return {
    sm,
    secrets: new SecretsClient({
      secretsManager: sm,
      kms: local.kms(),
      audit: { record: (event) => void events.push(event) },
      ...extra,
    }),
  };
}

let secrets: SecretsClient;

/** A secret written with the SDK (create() refuses wrong shapes), tagged with its kind. */
async function raw(kind: string | undefined, value: string | Uint8Array): Promise<string> {
  const name = `prod/test/raw${++n}`;
  await local.sm().send(
    new CreateSecretCommand({
      Name: name,
      ...(typeof value === 'string' ? { SecretString: value } : { SecretBinary: value }),
      ...(kind === undefined ? {} : { Tags: [{ Key: 'keystage:type', Value: kind }] }),
    }),
  );
  return name;
}

const checkNames = (result: { checks: readonly { name: string; ok: boolean }[] }) =>
  result.checks.map((check) => `${check.name}:${check.ok ? 'ok' : 'failed'}`);

const shown = (value: unknown) => [JSON.stringify(value), inspect(value, { depth: 10 })].join('\n');

describe('SecretsClient.test', () => {
  describe('certificates', () => {
    it('passes a self-signed CA: shape, chain, expiry and key', async () => {
      const ca = await createCertificateAuthority({ commonName: 'Test CA' });
      const result = await secrets.test(await raw('certificate', ca.toSecretString()));
      expect(result).toMatchObject({ ok: true, kind: 'certificate' });
      expect(checkNames(result)).toEqual(['shape:ok', 'chain:ok', 'expiry:ok', 'key:ok']);
      expect(result.checks[1]!.reason).toContain('self-signed');
      expect(shown(result)).not.toContain('PRIVATE KEY');
    });

    it('passes a leaf whose chain is its CA, and names when it expires', async () => {
      const ca = await createCertificateAuthority({ commonName: 'Test CA' });
      const leaf = await issueCertificate(ca, { commonName: 'api.internal', validityDays: 30 });
      const result = await secrets.test(await raw('certificate', leaf.toSecretString()));
      expect(result.ok).toBe(true);
      expect(result.checks[1]!.reason).toContain('up to a self-signed root');
      expect(result.checks[2]!.reason).toMatch(/the certificate expires first, at .* \((29|30) days\)/);
    });

    it('fails the chain of a leaf stored with another CA as its chain', async () => {
      const ca = await createCertificateAuthority({ commonName: 'Right CA' });
      const other = await createCertificateAuthority({ commonName: 'Other CA' });
      const leaf = await issueCertificate(ca, { commonName: 'api.internal' });
      const value = JSON.stringify({ ...JSON.parse(leaf.toSecretString()), chain: other.certificate });
      const result = await secrets.test(await raw('certificate', value));
      expect(result.ok).toBe(false);
      expect(result.checks[1]).toMatchObject({
        name: 'chain',
        ok: false,
        reason: expect.stringContaining('not signed'),
      });
    });

    it('fails the expiry of a certificate past its notAfter, by the client clock', async () => {
      const ca = await createCertificateAuthority({ commonName: 'Short CA', validityDays: 2 });
      const clock = new FakeClock(Date.now() + 3 * DAY);
      const result = await client({ clock }).secrets.test(await raw('certificate', ca.toSecretString()));
      expect(result.checks[2]).toMatchObject({
        name: 'expiry',
        ok: false,
        reason: expect.stringContaining('expired at'),
      });
    });

    it('fails the key check when the private key belongs to another certificate', async () => {
      const ca = await createCertificateAuthority({ commonName: 'Test CA' });
      const other = await createCertificateAuthority({ commonName: 'Other CA' });
      const value = JSON.stringify({ certificate: ca.certificate, privateKey: other.privateKey, chain: '' });
      const result = await secrets.test(await raw('certificate', value));
      expect(result.checks[3]).toEqual({
        name: 'key',
        ok: false,
        reason: 'The private key does not belong to the certificate.',
      });
      expect(shown(result)).not.toContain('PRIVATE KEY');
    });

    it('stops at the shape of a value that is no certificate secret', async () => {
      const result = await secrets.test(await raw('certificate', JSON.stringify({ certificate: PLANTED })));
      expect(checkNames(result)).toEqual(['shape:failed']);
      expect(shown(result)).not.toContain(PLANTED);
    });
  });

  describe('API keys', () => {
    it("passes a keystage key's checksum", async () => {
      const result = await secrets.test(await raw('api-key', generateApiKey({ prefix: 'acme' })));
      expect(checkNames(result)).toEqual(['shape:ok', 'checksum:ok']);
    });

    it('fails a keystage key whose checksum does not match, without echoing it', async () => {
      const key = generateApiKey({ prefix: 'acme' });
      const altered = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
      const result = await secrets.test(await raw('api-key', altered));
      expect(result.checks[1]).toMatchObject({
        name: 'checksum',
        ok: false,
        reason: expect.stringContaining('checksum does not match'),
      });
      expect(shown(result)).not.toContain(altered.split('_')[1]);
    });

    it("checks only the shape of a provider's key, which has no checksum", async () => {
      const result = await secrets.test(await raw('api-key', `sk_live_${PLANTED}`));
      expect(checkNames(result)).toEqual(['shape:ok']);
      expect(shown(result)).not.toContain(PLANTED);
    });
  });

  describe('data keys', () => {
    it('passes a data key that KMS unwraps', async () => {
      const { name } = await secrets.create({ name: `dk${++n}`, kind: 'data-key', kmsKeyId: keyArn });
      expect(checkNames(await secrets.test(name))).toEqual(['shape:ok', 'unwrap:ok']);
    });

    it('fails the unwrap of a wrapped key KMS does not recognise', async () => {
      const value = JSON.stringify({
        keyId: keyArn,
        wrappedKey: randomBytes(64).toString('base64'),
        keySpec: 'AES_256',
      });
      const result = await secrets.test(await raw('data-key', value));
      expect(result.checks[1]).toMatchObject({
        name: 'unwrap',
        ok: false,
        reason: expect.stringContaining('KMS did not unwrap it'),
      });
    });
  });

  describe('encrypted-json', () => {
    it('passes a value that decrypts with the envelope key to JSON', async () => {
      const { secrets: sealed } = client({ envelope: { keyId: keyArn } });
      const { name } = await sealed.create({
        name: `ej${++n}`,
        kind: 'encrypted-json',
        value: { token: PLANTED },
      });
      const result = await sealed.test(name);
      expect(checkNames(result)).toEqual(['decrypt:ok', 'shape:ok']);
      expect(shown(result)).not.toContain(PLANTED);
    });

    it('fails a value of that kind stored in plaintext', async () => {
      const result = await secrets.test(await raw('encrypted-json', JSON.stringify({ token: PLANTED })));
      expect(checkNames(result)).toEqual(['decrypt:failed']);
    });

    it('throws CONFIGURATION_ERROR from a client without an envelope key: the setup is wrong, not the secret', async () => {
      const { secrets: sealed } = client({ envelope: { keyId: keyArn } });
      const { name } = await sealed.create({
        name: `ej${++n}`,
        kind: 'encrypted-json',
        value: { token: PLANTED },
      });
      await expect(secrets.test(name)).rejects.toBeInstanceOf(ConfigurationError);
    });
  });

  describe('shapes', () => {
    it.each(['generic', 'symmetric-key', 'webhook-secret'] as const)(
      'passes a generated %s secret',
      async (kind) => {
        const { name } = await secrets.create({ name: `${kind}${++n}`, kind });
        expect(checkNames(await secrets.test(name))).toEqual(['shape:ok']);
      },
    );

    it('fails a symmetric key of a length no cipher takes', async () => {
      const result = await secrets.test(await raw('symmetric-key', randomBytes(5)));
      expect(checkNames(result)).toEqual(['shape:failed']);
    });

    it('fails a webhook secret without its prefix, never quoting it', async () => {
      const result = await secrets.test(await raw('webhook-secret', PLANTED));
      expect(checkNames(result)).toEqual(['shape:failed']);
      expect(shown(result)).not.toContain(PLANTED);
    });

    it('fails a json secret that is not a JSON document', async () => {
      expect(checkNames(await secrets.test(await raw('json', PLANTED)))).toEqual(['shape:failed']);
    });
  });

  describe('kinds and versions', () => {
    it('reports a secret without a keystage:type tag as unchecked, and takes { kind }', async () => {
      const name = await raw(undefined, generateApiKey());
      expect(await secrets.test(name)).toMatchObject({
        ok: false,
        kind: undefined,
        checks: [{ name: 'kind', ok: false }],
      });
      expect(await secrets.test(name, { kind: 'api-key' })).toMatchObject({ ok: true, kind: 'api-key' });
    });

    it('tests the version asked for', async () => {
      const name = await raw('api-key', generateApiKey());
      // put() checks the shape too: written with the SDK.
      const { VersionId: broken } = await local
        .sm()
        .send(new PutSecretValueCommand({ SecretId: name, SecretString: 'short' }));
      expect(await secrets.test(name)).toMatchObject({ ok: false, versionId: broken });
      expect(await secrets.test(name, { versionStage: 'AWSPREVIOUS' })).toMatchObject({ ok: true });
    });
  });

  describe('pipeline', () => {
    it('throws a refused read instead of reporting a check', async () => {
      const name = await raw('generic', PLANTED);
      await secrets.revoke(name, { reason: 'test' });
      await expect(secrets.test(name)).rejects.toBeInstanceOf(SecretRevokedError);
    });

    it('is asked of the access policy as a read', async () => {
      const asked: string[] = [];
      const policy: AccessEvaluator = {
        evaluate: (request) => {
          asked.push(request.operation);
          return { allowed: false, rule: undefined, reason: 'no rule allows it' };
        },
      };
      const principal = { id: 'ana', roles: [], service: 'billing', environment: 'prod' };
      await expect(client({ policy, principal }).secrets.test('prod/test/any')).rejects.toBeInstanceOf(
        PermissionDeniedError,
      );
      expect(asked).toEqual(['read']);
    });

    it('is audited as an access with the outcome, never a value', async () => {
      const name = await raw('webhook-secret', PLANTED);
      events.length = 0;
      await secrets.test(name);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        action: 'test',
        event_type: 'secret_access',
        details: { kind: 'webhook-secret', ok: false, failed_checks: ['shape'] },
      });
      expect(JSON.stringify(events)).not.toContain(PLANTED);
    });

    it.each([
      ['kind', { kind: 'password' }],
      ['connectTimeoutMs', { connectTimeoutMs: -1 }],
      ['versionId', { versionId: 'short' }],
      ['timeout', { timeout: 5 }],
    ])('refuses a bad %s before any call', async (field, options) => {
      const error = await secrets.test('prod/test/any', options as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    });
  });
});
