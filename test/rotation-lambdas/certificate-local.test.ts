import {
  CreateSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate, parseCertificateSecret } from '../../lib/generate';
import { startLocal, type LocalFixture } from '../support/local-endpoint';
import { cleanUpBuilds, root, tempDir } from '../support/rotation-fixtures';

// What `keystage local --rotation-config` does with the certificate function: the endpoint runs
// the bundled handler in a child process with CA_SECRET_ARN in its environment, as Lambda would.

const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:keystage-certificate';
// A partial ARN: known before the CA secret exists, so the endpoint can start with it.
const CA_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/pki/ca';
let local: LocalFixture;
let sm: SecretsManagerClient;

beforeAll(async () => {
  const handler = join(tempDir('keystage-certificate-'), 'certificate', 'index.js');
  // As scripts/bundle-rotation-lambdas.mjs bundles it (ES modules first, the SDK external).
  buildSync({
    entryPoints: [join(root, 'rotation-lambdas', 'handlers', 'certificate.ts')],
    outfile: handler,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*'],
    logLevel: 'error',
  });
  local = await startLocal({
    rotationFunctions: [{ arn: LAMBDA, handler, environment: { CA_SECRET_ARN: CA_ARN } }],
  });
  sm = local.sm();
});
afterAll(async () => {
  await local.endpoint.close();
  cleanUpBuilds();
});

describe('the bundled certificate function behind the local endpoint', () => {
  it('rotates a certificate secret: a new leaf from the CA, the old one AWSPREVIOUS', async () => {
    const ca = await createCertificateAuthority({ commonName: 'Local CA' });
    await sm.send(new CreateSecretCommand({ Name: 'prod/pki/ca', SecretString: ca.toSecretString() }));
    const first = (await issueCertificate(ca, { commonName: 'local.internal' })).toSecretString();
    await sm.send(new CreateSecretCommand({ Name: 'prod/api/tls', SecretString: first }));
    await sm.send(new RotateSecretCommand({ SecretId: 'prod/api/tls', RotationLambdaARN: LAMBDA }));
    await local.endpoint.rotationsIdle();
    expect(local.endpoint.rotationEvents.map((event) => event.type)).toEqual([
      'RotationStarted',
      'RotationSucceeded',
    ]);
    const value = async (stage: string) =>
      (await sm.send(new GetSecretValueCommand({ SecretId: 'prod/api/tls', VersionStage: stage })))
        .SecretString!;
    expect(await value('AWSPREVIOUS')).toBe(first);
    const current = parseCertificateSecret(await value('AWSCURRENT'));
    expect(current.chain).toBe(ca.certificate);
    expect(current.certificate).not.toBe(parseCertificateSecret(first).certificate);
  });

  it("rotates a leaf whose caarn is the CA's full ARN under the partial CA_SECRET_ARN, keeping caarn", async () => {
    const ca = parseCertificateSecret(
      (await sm.send(new GetSecretValueCommand({ SecretId: 'prod/pki/ca' }))).SecretString!,
    );
    const { ARN: caarn } = await sm.send(new GetSecretValueCommand({ SecretId: CA_ARN }));
    const first = (await issueCertificate(ca, { commonName: 'named.internal' })).issuedBy(caarn!);
    await sm.send(new CreateSecretCommand({ Name: 'prod/named/tls', SecretString: first.toSecretString() }));
    await sm.send(new RotateSecretCommand({ SecretId: 'prod/named/tls', RotationLambdaARN: LAMBDA }));
    await local.endpoint.rotationsIdle();
    const current = parseCertificateSecret(
      (await sm.send(new GetSecretValueCommand({ SecretId: 'prod/named/tls' }))).SecretString!,
    );
    expect(current.certificate).not.toBe(first.certificate);
    expect(current.caarn).toBe(caarn);
    expect(current.chain).toBe(ca.certificate);
  });
});
