import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCertificateAuthority,
  describeCertificate,
  issueCertificate,
  parseCertificateSecret,
  type CertificateBundle,
  type CertificateKeyAlgorithm,
} from '../../lib/generate';
import { createRotationHandler, type RotationHandler } from '../../rotation-lambdas';
import { RotationConfigError } from '../../rotation-lambdas/config';
import {
  certificateStrategyFromEnv,
  createCertificateStrategy,
} from '../../rotation-lambdas/strategies/certificate';
import { startLocal, type LocalFixture } from '../support/local-endpoint';

// The certificate strategy's four steps against the local endpoint through the real SDK:
// each step on its own (so a retry can be run twice), and whole rotations through RotateSecret.

const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:keystage-certificate';
let local: LocalFixture;
let sm: SecretsManagerClient;
let ca: CertificateBundle;
let caArn: string;
let dir: string;
let n = 0;

beforeAll(async () => {
  local = await startLocal({ rotationAttempts: 1 });
  sm = local.sm();
  dir = mkdtempSync(join(tmpdir(), 'keystage-cert-rotation-'));
  ca = await createCertificateAuthority({ commonName: 'Rotation Test CA', organization: 'Acme' });
  caArn = await secretWith(ca.toSecretString());
});
afterAll(async () => {
  await local.endpoint.close();
  rmSync(dir, { recursive: true, force: true });
});

async function secretWith(value: string): Promise<string> {
  const out = await sm.send(
    new CreateSecretCommand({ Name: `rotation/certificate/${n++}`, SecretString: value }),
  );
  return out.ARN!;
}

async function leafSecret(
  keyAlgorithm: CertificateKeyAlgorithm = 'ecdsa-p256',
  caarn?: string,
): Promise<{ arn: string; leaf: CertificateBundle }> {
  const leaf = await issueCertificate(ca, {
    commonName: 'api.internal',
    organization: 'Acme',
    sans: { dns: ['api.internal', 'api'], ip: ['10.0.0.7'], uri: ['spiffe://acme/api'] },
    keyAlgorithm,
    extendedKeyUsage: ['serverAuth', 'clientAuth'],
    validityDays: 30,
  });
  const stored = caarn === undefined ? leaf : leaf.issuedBy(caarn);
  return { arn: await secretWith(stored.toSecretString()), leaf: stored };
}

const value = async (id: string, stage = 'AWSCURRENT', versionId?: string) =>
  (
    await sm.send(
      new GetSecretValueCommand({
        SecretId: id,
        VersionStage: stage,
        ...(versionId === undefined ? {} : { VersionId: versionId }),
      }),
    )
  ).SecretString!;

function handlerFor(caSecretId?: string): RotationHandler {
  return createRotationHandler(createCertificateStrategy(caSecretId === undefined ? {} : { caSecretId }), {
    secretsManager: sm,
    logSink: () => undefined,
  });
}

/** Starts a rotation whose function does nothing, so the test can run the steps itself. */
async function startRotation(id: string): Promise<string> {
  local.endpoint.registerRotationHandler(LAMBDA, async () => {
    throw new Error('steps are run by the test');
  });
  const { VersionId } = await sm.send(new RotateSecretCommand({ SecretId: id, RotationLambdaARN: LAMBDA }));
  await local.endpoint.rotationsIdle();
  return VersionId!;
}

const step = (handler: RotationHandler, Step: string, SecretId: string, ClientRequestToken: string) =>
  handler({ Step, SecretId, ClientRequestToken });

function opensslVerify(caPem: string, leafPem: string): string {
  const caFile = join(dir, `ca-${n}.pem`);
  const leafFile = join(dir, `leaf-${n++}.pem`);
  writeFileSync(caFile, caPem);
  writeFileSync(leafFile, leafPem);
  return execFileSync('openssl', ['verify', '-CAfile', caFile, leafFile], { encoding: 'utf8' }).trim();
}

describe('certificate strategy', () => {
  describe('each step against the local endpoint', () => {
    it('issues a successor with the same subject, SANs, key algorithm, usages and validity, chained to the CA', async () => {
      const { arn, leaf } = await leafSecret('rsa-2048');
      const token = await startRotation(arn);
      const handler = handlerFor(caArn);
      await step(handler, 'createSecret', arn, token);
      const pending = parseCertificateSecret(await value(arn, 'AWSPENDING', token));
      const before = describeCertificate(leaf.certificate);
      const after = describeCertificate(pending.certificate);
      expect(after).toMatchObject({
        commonName: before.commonName,
        organization: 'Acme',
        sans: before.sans,
        keyAlgorithm: 'rsa-2048',
        extendedKeyUsage: ['serverAuth', 'clientAuth'],
        validityDays: 30,
        isCa: false,
      });
      expect(after.serialNumber).not.toBe(before.serialNumber);
      expect(pending.privateKey).not.toBe(leaf.privateKey);
      expect(pending.chain).toBe(ca.certificate);
      expect(opensslVerify(ca.certificate, pending.certificate)).toMatch(/: OK$/);
      const certificate = new X509Certificate(pending.certificate);
      expect(certificate.checkIssued(new X509Certificate(ca.certificate))).toBe(true);
      expect(certificate.checkPrivateKey(createPrivateKey(pending.privateKey))).toBe(true);
    });

    it('runs all four steps, twice each, to one new AWSCURRENT; AWSPREVIOUS is the old certificate', async () => {
      const { arn, leaf } = await leafSecret();
      const token = await startRotation(arn);
      const handler = handlerFor(caArn);
      for (const name of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
        await step(handler, name, arn, token);
        await step(handler, name, arn, token);
      }
      const current = parseCertificateSecret(await value(arn));
      expect(current.certificate).not.toBe(leaf.certificate);
      expect(await value(arn, 'AWSPREVIOUS')).toBe(leaf.toSecretString());
      const stages = (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages!;
      expect(stages[token]).toContain('AWSCURRENT');
      expect(Object.values(stages).filter((labels) => labels.includes('AWSCURRENT'))).toHaveLength(1);
      // The old version plus one new one: the second createSecret wrote nothing.
      const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: arn }));
      expect(versions.Versions).toHaveLength(2);
    });

    it('keeps the pending value when createSecret runs again', async () => {
      const { arn } = await leafSecret();
      const token = await startRotation(arn);
      const handler = handlerFor(caArn);
      await step(handler, 'createSecret', arn, token);
      const first = await value(arn, 'AWSPENDING', token);
      await step(handler, 'createSecret', arn, token);
      expect(await value(arn, 'AWSPENDING', token)).toBe(first);
    });

    it('fails createSecret with INVALID_SECRET when the CA secret is missing, writing nothing', async () => {
      const { arn, leaf } = await leafSecret();
      const token = await startRotation(arn);
      const handler = handlerFor('arn:aws:secretsmanager:us-east-1:000000000000:secret:no-such-ca-AbCdEf');
      await expect(step(handler, 'createSecret', arn, token)).rejects.toMatchObject({
        code: 'ROTATION_STEP_FAILED',
        step: 'createSecret',
        reason: 'INVALID_SECRET',
        message: expect.stringContaining('does not exist or has no AWSCURRENT value'),
      });
      await expect(value(arn, 'AWSPENDING', token)).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
      expect(await value(arn)).toBe(leaf.toSecretString());
    });

    it('fails createSecret with INVALID_SECRET when the CA secret holds a leaf, not a CA, writing nothing', async () => {
      const { arn, leaf } = await leafSecret();
      const notCa = await secretWith(leaf.toSecretString());
      const token = await startRotation(arn);
      await expect(step(handlerFor(notCa), 'createSecret', arn, token)).rejects.toMatchObject({
        reason: 'INVALID_SECRET',
        message: expect.stringContaining('is not a CA certificate'),
      });
      await expect(value(arn, 'AWSPENDING', token)).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    });

    it('fails createSecret with INVALID_SECRET when the CA secret is not a certificate secret', async () => {
      const { arn } = await leafSecret();
      const junk = await secretWith('{"password":"not a CA"}');
      const token = await startRotation(arn);
      await expect(step(handlerFor(junk), 'createSecret', arn, token)).rejects.toMatchObject({
        reason: 'INVALID_SECRET',
        message: expect.stringContaining('not a certificate secret'),
      });
    });

    it('fails testSecret with TEST_FAILED when the pending certificate is not from the CA, and AWSCURRENT stays', async () => {
      const { arn, leaf } = await leafSecret();
      const token = await startRotation(arn);
      const otherCa = await createCertificateAuthority({ commonName: 'Other CA' });
      const otherArn = await secretWith(otherCa.toSecretString());
      await step(handlerFor(otherArn), 'createSecret', arn, token);
      await expect(step(handlerFor(caArn), 'testSecret', arn, token)).rejects.toMatchObject({
        reason: 'TEST_FAILED',
        message: expect.stringContaining('does not contain the CA'),
      });
      expect(await value(arn)).toBe(leaf.toSecretString());
    });

    it('fails testSecret with TEST_FAILED when the pending key does not match the certificate', async () => {
      const { arn, leaf } = await leafSecret();
      const token = await startRotation(arn);
      const stranger = await issueCertificate(ca, { commonName: 'other.internal' });
      await sm.send(
        new PutSecretValueCommand({
          SecretId: arn,
          ClientRequestToken: token,
          VersionStages: ['AWSPENDING'],
          SecretString: JSON.stringify({
            certificate: leaf.certificate,
            privateKey: stranger.privateKey,
            chain: leaf.chain,
          }),
        }),
      );
      await expect(step(handlerFor(caArn), 'testSecret', arn, token)).rejects.toMatchObject({
        reason: 'TEST_FAILED',
        message:
          'testSecret failed (TEST_FAILED): The pending private key does not match the pending certificate.',
      });
    });

    it('fails testSecret with TEST_FAILED for a certificate that is not valid now', async () => {
      const { arn } = await leafSecret();
      const token = await startRotation(arn);
      const later = () => new Date(Date.now() + 40 * 86_400_000);
      await step(handlerFor(caArn), 'createSecret', arn, token);
      const handler = createRotationHandler(createCertificateStrategy({ caSecretId: caArn, clock: later }), {
        secretsManager: sm,
        logSink: () => undefined,
      });
      await expect(step(handler, 'testSecret', arn, token)).rejects.toMatchObject({
        reason: 'TEST_FAILED',
        message: expect.stringContaining('not now'),
      });
    });

    it('refuses to rotate a CA certificate', async () => {
      const arn = await secretWith(ca.toSecretString());
      const token = await startRotation(arn);
      await expect(step(handlerFor(caArn), 'createSecret', arn, token)).rejects.toMatchObject({
        reason: 'INVALID_SECRET',
        message: expect.stringContaining('rotates leaf certificates only'),
      });
    });
  });

  describe("which CA: the secret's caarn and CA_SECRET_ARN", () => {
    const noPending = async (arn: string, token: string) =>
      expect(value(arn, 'AWSPENDING', token)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    it('rotates from the caarn alone (no CA_SECRET_ARN), and the new version keeps caarn', async () => {
      const { arn, leaf } = await leafSecret('ecdsa-p256', caArn);
      const token = await startRotation(arn);
      const handler = handlerFor();
      for (const name of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
        await step(handler, name, arn, token);
      }
      const current = parseCertificateSecret(await value(arn));
      expect(current.caarn).toBe(caArn);
      expect(current.certificate).not.toBe(leaf.certificate);
      expect(current.chain).toBe(ca.certificate);
      expect(opensslVerify(ca.certificate, current.certificate)).toMatch(/: OK$/);
      expect(await value(arn, 'AWSPREVIOUS')).toBe(leaf.toSecretString());
    });

    it('rotates from CA_SECRET_ARN alone (no caarn), and adds no caarn', async () => {
      const { arn } = await leafSecret();
      const token = await startRotation(arn);
      await step(handlerFor(caArn), 'createSecret', arn, token);
      const text = await value(arn, 'AWSPENDING', token);
      expect(Object.keys(JSON.parse(text) as object).sort()).toEqual(['certificate', 'chain', 'privateKey']);
      expect(parseCertificateSecret(text).chain).toBe(ca.certificate);
    });

    it.each([
      ['the same full ARN', () => caArn],
      ['the partial ARN of the caarn', () => caArn.slice(0, -7)],
    ])('rotates when CA_SECRET_ARN is %s', async (_, configured) => {
      const { arn } = await leafSecret('ecdsa-p256', caArn);
      const token = await startRotation(arn);
      const handler = handlerFor(configured());
      await step(handler, 'createSecret', arn, token);
      await step(handler, 'testSecret', arn, token);
      const pending = parseCertificateSecret(await value(arn, 'AWSPENDING', token));
      expect(pending.caarn).toBe(caArn);
      expect(opensslVerify(ca.certificate, pending.certificate)).toMatch(/: OK$/);
    });

    it('refuses a caarn that names another secret than CA_SECRET_ARN: INVALID_SECRET naming caarn, nothing written', async () => {
      const otherCa = await createCertificateAuthority({ commonName: 'Other CA' });
      const otherArn = await secretWith(otherCa.toSecretString());
      const { arn, leaf } = await leafSecret('ecdsa-p256', otherArn);
      const token = await startRotation(arn);
      const error = await step(handlerFor(caArn), 'createSecret', arn, token).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'ROTATION_STEP_FAILED',
        step: 'createSecret',
        reason: 'INVALID_SECRET',
        message: expect.stringContaining('"caarn"'),
      });
      expect((error as Error).message).toContain(
        `(${otherArn}) is not the CA secret in CA_SECRET_ARN (${caArn})`,
      );
      await noPending(arn, token);
      expect(await value(arn)).toBe(leaf.toSecretString());
    });

    it('refuses a full ARN of a deleted-and-remade secret: another suffix is another secret', async () => {
      const stale = `${caArn.slice(0, -6)}${caArn.endsWith('ZZZZZZ') ? 'YYYYYY' : 'ZZZZZZ'}`;
      const { arn } = await leafSecret('ecdsa-p256', stale);
      const token = await startRotation(arn);
      await expect(step(handlerFor(caArn), 'createSecret', arn, token)).rejects.toMatchObject({
        reason: 'INVALID_SECRET',
        message: expect.stringContaining('"caarn"'),
      });
      await noPending(arn, token);
    });

    it('refuses a secret with neither caarn nor CA_SECRET_ARN: INVALID_SECRET naming both, nothing written', async () => {
      const { arn, leaf } = await leafSecret();
      const token = await startRotation(arn);
      await expect(step(handlerFor(), 'createSecret', arn, token)).rejects.toMatchObject({
        reason: 'INVALID_SECRET',
        message: expect.stringMatching(/no "caarn" and the function has no CA_SECRET_ARN/),
      });
      await noPending(arn, token);
      expect(await value(arn)).toBe(leaf.toSecretString());
    });

    it('refuses a caarn that is not a secret ARN, naming caarn', async () => {
      const leaf = await issueCertificate(ca, { commonName: 'named.internal' });
      const arn = await secretWith(
        JSON.stringify({ ...JSON.parse(leaf.toSecretString()), caarn: 'prod/pki/ca' }),
      );
      const token = await startRotation(arn);
      await expect(step(handlerFor(caArn), 'createSecret', arn, token)).rejects.toMatchObject({
        reason: 'INVALID_SECRET',
        message: expect.stringContaining('AWSCURRENT.caarn must be the ARN of the CA secret'),
      });
      await noPending(arn, token);
    });
  });

  describe('through RotateSecret', () => {
    it('rotates twice; each AWSPREVIOUS is the certificate before, and openssl verifies each new one', async () => {
      const { arn, leaf } = await leafSecret();
      const logged: string[] = [];
      local.endpoint.registerRotationHandler(
        LAMBDA,
        createRotationHandler(createCertificateStrategy({ caSecretId: caArn }), {
          secretsManager: sm,
          logSink: (line) => logged.push(line),
        }),
      );
      let before = leaf.toSecretString();
      const keys = [ca.privateKey, leaf.privateKey];
      for (let i = 0; i < 2; i++) {
        await sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: LAMBDA }));
        await local.endpoint.rotationsIdle();
        const current = await value(arn);
        expect(current).not.toBe(before);
        expect(await value(arn, 'AWSPREVIOUS')).toBe(before);
        expect(opensslVerify(ca.certificate, parseCertificateSecret(current).certificate)).toMatch(/: OK$/);
        keys.push(parseCertificateSecret(current).privateKey);
        before = current;
      }
      // Every step logged, and no line holds any part of a key.
      expect(logged.length).toBeGreaterThanOrEqual(8);
      const text = logged.join('\n');
      expect(text).not.toContain('PRIVATE KEY');
      for (const key of keys)
        for (const line of key.split('\n').slice(1, -2)) expect(text).not.toContain(line);
      expect(local.endpoint.rotationEvents.filter((e) => e.secretArn === arn).map((e) => e.type)).toEqual([
        'RotationStarted',
        'RotationSucceeded',
        'RotationStarted',
        'RotationSucceeded',
      ]);
    });
  });

  describe('configuration', () => {
    it('reads CA_SECRET_ARN', () => {
      expect(
        certificateStrategyFromEnv({
          CA_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:ca',
        }).name,
      ).toBe('certificate');
    });

    it.each([{}, { CA_SECRET_ARN: '' }])(
      'starts without CA_SECRET_ARN (%p): each secret names its CA in caarn',
      (env) => {
        expect(certificateStrategyFromEnv(env).name).toBe('certificate');
      },
    );

    it.each([{ CA_SECRET_ARN: 'prod/pki/ca' }, { CA_SECRET_ARN: 'arn:aws:s3:::bucket' }])(
      'refuses %p naming CA_SECRET_ARN',
      (env) => {
        expect(() => certificateStrategyFromEnv(env)).toThrow(
          expect.objectContaining({ variable: 'CA_SECRET_ARN', constructor: RotationConfigError }),
        );
      },
    );

    it('refuses an empty caSecretId naming CA_SECRET_ARN', () => {
      expect(() => createCertificateStrategy({ caSecretId: '' })).toThrow(
        expect.objectContaining({ variable: 'CA_SECRET_ARN', constructor: RotationConfigError }),
      );
    });
  });
});
