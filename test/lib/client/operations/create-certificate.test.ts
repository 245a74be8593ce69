import {
  GetSecretValueCommand,
  ListSecretsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { AuditEntry } from '../../../../lib/audit/audit-event';
import { SecretsClient } from '../../../../lib/client/secrets-client';
import { PermissionDeniedError, SecretNotFoundError, ValidationError } from '../../../../lib/errors';
import { describeCertificate, parseCertificateSecret } from '../../../../lib/generate';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import type { AccessRequest, Principal } from '../../../../lib/client/access';
import { AccessPolicy } from '../../../../lib/policy';

// kind 'certificate' through SecretsClient.create against the local endpoint: a CA made and
// stored, leaves issued by it (read through the client, so policy and audit see the read).

let local: LocalFixture;
let sm: SecretsManagerClient;
let dir: string;
const events: AuditEntry[] = [];
let client: SecretsClient;

beforeAll(async () => {
  local = await startLocal();
  sm = local.sm();
  dir = mkdtempSync(join(tmpdir(), 'keystage-create-cert-'));
  client = new SecretsClient({ secretsManager: sm, audit: { record: (event) => void events.push(event) } });
});
afterAll(async () => {
  client.close();
  await local.endpoint.close();
  rmSync(dir, { recursive: true, force: true });
});

const stored = async (id: string) =>
  (await sm.send(new GetSecretValueCommand({ SecretId: id }))).SecretString!;
const names = async () => ((await sm.send(new ListSecretsCommand({}))).SecretList ?? []).map((s) => s.Name);

describe("create({ kind: 'certificate' })", () => {
  it('makes a self-signed CA, then a leaf from the CA secret that openssl verifies', async () => {
    const caRef = await client.create({
      name: 'ca',
      environment: 'prod',
      service: 'pki',
      kind: 'certificate',
      certificate: { commonName: 'Acme Prod CA', isCa: true, validityDays: 365 },
    });
    const ca = parseCertificateSecret(await stored(caRef.arn));
    expect(new X509Certificate(ca.certificate).ca).toBe(true);
    expect(ca.chain).toBe('');
    // A self-signed CA names no CA.
    expect(Object.keys(JSON.parse(await stored(caRef.arn)) as object).sort()).toEqual([
      'certificate',
      'chain',
      'privateKey',
    ]);

    const leafRef = await client.create({
      name: 'tls',
      environment: 'prod',
      service: 'api',
      kind: 'certificate',
      certificate: {
        commonName: 'api.internal',
        sans: { dns: ['api.internal'] },
        ca: 'prod/pki/ca',
        keyAlgorithm: 'rsa-2048',
      },
    });
    const leaf = parseCertificateSecret(await stored(leafRef.arn));
    // The leaf names the CA secret that issued it by its full ARN, as masterarn does.
    expect(Object.keys(JSON.parse(await stored(leafRef.arn)) as object).sort()).toEqual([
      'caarn',
      'certificate',
      'chain',
      'privateKey',
    ]);
    expect(leaf.caarn).toBe(caRef.arn);
    expect(leaf.chain).toBe(ca.certificate);
    expect(describeCertificate(leaf.certificate)).toMatchObject({
      commonName: 'api.internal',
      keyAlgorithm: 'rsa-2048',
    });
    writeFileSync(join(dir, 'ca.pem'), ca.certificate);
    writeFileSync(join(dir, 'leaf.pem'), leaf.certificate);
    expect(
      execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')], {
        encoding: 'utf8',
      }),
    ).toMatch(/: OK\n$/);
    // The CA read was audited as the get it is; tags say the kind.
    expect(events.map((e) => [e.action, e.secret_name])).toEqual([
      ['create', 'prod/pki/ca'],
      ['get', 'prod/pki/ca'],
      ['create', 'prod/api/tls'],
    ]);
    expect((await client.describe('prod/api/tls')).tags['keystage:type']).toBe('certificate');
    // No audit event or log shape holds a key.
    expect(JSON.stringify(events)).not.toContain('PRIVATE KEY');
    expect(inspect(events, { depth: 10 })).not.toContain('PRIVATE KEY');
  });

  it('stores the full ARN as caarn when the CA is named by its partial ARN', async () => {
    const caArn = (await client.describe('prod/pki/ca')).arn;
    const ref = await client.create({
      name: 'by-partial-arn',
      kind: 'certificate',
      certificate: { commonName: 'partial.internal', ca: caArn.slice(0, -7) },
    });
    expect(parseCertificateSecret(await stored(ref.arn)).caarn).toBe(caArn);
  });

  it('stores no caarn for a leaf issued from a PEM pair', async () => {
    const ca = parseCertificateSecret(await stored('prod/pki/ca'));
    const ref = await client.create({
      name: 'from-pem',
      kind: 'certificate',
      certificate: {
        commonName: 'pem.internal',
        ca: { certificate: ca.certificate, privateKey: ca.privateKey },
      },
    });
    const text = await stored(ref.arn);
    expect(Object.keys(JSON.parse(text) as object).sort()).toEqual(['certificate', 'chain', 'privateKey']);
    expect(parseCertificateSecret(text).chain).toBe(ca.certificate);
  });

  it('ignores a caarn smuggled into the options: only a CA secret read sets it', async () => {
    const ca = parseCertificateSecret(await stored('prod/pki/ca'));
    const ref = await client.create({
      name: 'smuggled',
      kind: 'certificate',
      certificate: {
        commonName: 'smuggled.internal',
        ca: { certificate: ca.certificate, privateKey: ca.privateKey },
        caarn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:elsewhere-AbCdEf',
      } as never,
    });
    expect(parseCertificateSecret(await stored(ref.arn)).caarn).toBeUndefined();
  });

  it('stores a given { certificate, privateKey, chain } value', async () => {
    const ca = parseCertificateSecret(await stored('prod/pki/ca'));
    const ref = await client.create({
      name: 'ca-copy',
      kind: 'certificate',
      value: { certificate: ca.certificate, privateKey: ca.privateKey, chain: '' },
    });
    expect(parseCertificateSecret(await stored(ref.arn)).certificate).toBe(ca.certificate);
  });

  it.each([
    [{ name: 'a', kind: 'certificate' }, 'certificate'],
    [{ name: 'a', kind: 'certificate', certificate: { commonName: 'x.internal' } }, 'certificate.ca'],
    [
      { name: 'a', kind: 'certificate', certificate: { commonName: 'x', isCa: true, sans: { dns: ['x'] } } },
      'certificate.sans',
    ],
    [{ name: 'a', kind: 'certificate', value: '{"certificate":"x"}' }, 'value.privateKey'],
    [{ name: 'a', kind: 'certificate', value: new Uint8Array([1]) }, 'value'],
    [
      { name: 'a', kind: 'certificate', certificate: { commonName: 'x', isCa: true, keyAlgorithm: 'dsa' } },
      'certificate.keyAlgorithm',
    ],
    [
      { name: 'a', kind: 'certificate', certificate: { commonName: '', ca: 'prod/pki/ca' } },
      'certificate.commonName',
    ],
  ])('refuses %p naming %s, creating nothing', async (options, field) => {
    const before = await names();
    await expect(client.create(options as never)).rejects.toMatchObject({ code: 'VALIDATION_ERROR', field });
    expect(await names()).toEqual(before);
  });

  it('refuses a CA secret that is missing, or holds no CA, creating nothing', async () => {
    const before = await names();
    await expect(
      client.create({
        name: 'x',
        kind: 'certificate',
        certificate: { commonName: 'x.internal', ca: 'prod/pki/nope' },
      }),
    ).rejects.toBeInstanceOf(SecretNotFoundError);
    const error = await client
      .create({
        name: 'y',
        kind: 'certificate',
        certificate: { commonName: 'y.internal', ca: 'prod/api/tls' },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'certificate.ca.certificate' });
    expect(await names()).toEqual(before);
  });

  it('reads the CA as the caller: a principal who may create but not read the CA gets PERMISSION_DENIED', async () => {
    // Not the governance fixture: it mocks every SecretsManagerClient, this file's included.
    const rules = new AccessPolicy({
      rules: [
        { id: 'create-anything', effect: 'allow', secrets: ['**'], operations: ['create'] },
        { id: 'read-api', effect: 'allow', secrets: ['prod/api/**'], operations: ['read'] },
      ],
    });
    const requests: AccessRequest[] = [];
    const policy = {
      evaluate: (request: AccessRequest) => (requests.push(request), rules.evaluate(request)),
    };
    const alice: Principal = { id: 'alice', service: 'api', environment: 'prod', roles: ['developer'] };
    const governed = new SecretsClient({ secretsManager: sm, policy, principal: alice });
    try {
      const before = await names();
      await expect(
        governed.create({
          name: 'z',
          kind: 'certificate',
          certificate: { commonName: 'z.internal', ca: 'prod/pki/ca' },
        }),
      ).rejects.toBeInstanceOf(PermissionDeniedError);
      expect(await names()).toEqual(before);
      // The CA is read first (every option was checked before); refused, nothing is created.
      expect(requests.map((r) => r.operation)).toEqual(['read']);
    } finally {
      governed.close();
    }
  });
});
