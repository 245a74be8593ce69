import { CreateKeyCommand, DecryptCommand } from '@aws-sdk/client-kms';
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { SecretsClient, type SecretListItem } from '../../../lib';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

// SecretsClient end to end: the real SDK over HTTP against the local endpoint, which
// models the service independently of the client.
let local: LocalFixture;
let secrets: SecretsClient;
let n = 0;
const env = () => `it${++n}`;

beforeAll(async () => {
  local = await startLocal();
  secrets = new SecretsClient({ secretsManager: local.sm(), kms: local.kms() });
});
afterAll(() => local.endpoint.close());

async function names(items: AsyncIterable<SecretListItem>): Promise<string[]> {
  const found: string[] = [];
  for await (const item of items) found.push(item.name);
  return found.sort();
}

describe('SecretsClient against the local endpoint', () => {
  it('creates every kind and reads each back', async () => {
    const e = env();
    const keyId = (await local.kms().send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await secrets.create({ name: 'generic', kind: 'generic', environment: e, service: 'svc' });
    await secrets.create({
      name: 'api',
      kind: 'api-key',
      environment: e,
      service: 'svc',
      apiKeyPrefix: 'acme',
    });
    await secrets.create({ name: 'sym', kind: 'symmetric-key', environment: e, service: 'svc' });
    await secrets.create({ name: 'dk', kind: 'data-key', environment: e, service: 'svc', kmsKeyId: keyId });
    await secrets.create({
      name: 'json',
      kind: 'json',
      environment: e,
      service: 'svc',
      value: { url: 'https://x' },
    });
    await secrets.create({
      name: 'db',
      kind: 'database',
      environment: e,
      service: 'svc',
      database: { engine: 'postgres', host: 'db.internal', username: 'app' },
    });

    expect(await secrets.get(`${e}/svc/generic`)).toMatch(/^[A-Za-z0-9._-]{32}$/);
    expect(await secrets.get(`${e}/svc/api`)).toMatch(/^acme_/);
    expect(await secrets.getBinary(`${e}/svc/sym`)).toHaveLength(32);
    expect(await secrets.getJson(`${e}/svc/json`)).toEqual({ url: 'https://x' });
    expect(await secrets.getJson(`${e}/svc/db`)).toMatchObject({
      engine: 'postgres',
      port: 5432,
      username: 'app',
    });
    const dataKey = await secrets.getJson<{ wrappedKey: string }>(`${e}/svc/dk`);
    const unwrapped = await local
      .kms()
      .send(new DecryptCommand({ CiphertextBlob: Buffer.from(dataKey.wrappedKey, 'base64') }));
    expect(unwrapped.Plaintext).toHaveLength(32);
  });

  it('puts versions, lists them and rolls back with the compare-and-swap', async () => {
    const id = `${env()}/svc/key`;
    const { versionId: v1 } = await secrets.create({ name: id, kind: 'generic', value: 'one' });
    const v2 = await secrets.put(id, 'two');
    expect((await secrets.versions(id)).map((v) => [v.versionId, v.stages])).toEqual([
      [v2, ['AWSCURRENT']],
      [v1, ['AWSPREVIOUS']],
    ]);
    const result = await secrets.rollback(id);
    expect(result).toMatchObject({ fromVersionId: v2, toVersionId: v1 });
    expect(await secrets.get(id)).toBe('one');
    expect(await secrets.get(id, { versionStage: 'AWSPREVIOUS' })).toBe('two');
  });

  it('reads many secrets with per-id errors', async () => {
    const e = env();
    const ids = Array.from({ length: 23 }, (_, i) => `${e}/svc/s${i}`);
    for (const id of ids) await secrets.create({ name: id, kind: 'generic', value: `v-${id}` });
    const { values, errors } = await secrets.getMany([...ids, `${e}/svc/missing`]);
    expect(values.size).toBe(23);
    expect(values.get(ids[22]!)?.value).toBe(`v-${ids[22]}`);
    expect(errors.get(`${e}/svc/missing`)?.code).toBe('SECRET_NOT_FOUND');
  });

  it('revokes: reads fail with SECRET_REVOKED until restore', async () => {
    const id = `${env()}/svc/leaked`;
    await secrets.create({ name: id, kind: 'generic', value: 'v' });
    await secrets.revoke(id, { reason: 'leaked in a log' });
    await expect(secrets.get(id)).rejects.toMatchObject({
      code: 'SECRET_REVOKED',
      reason: 'leaked in a log',
    });
    expect((await secrets.getMany([id])).errors.get(id)?.code).toBe('SECRET_REVOKED');
    expect((await secrets.describe(id)).keystage.status).toBe('revoked');
    await secrets.restore(id);
    expect(await secrets.get(id)).toBe('v');
    expect((await secrets.describe(id)).keystage.status).toBe('active');
  });

  it('deletes with a recovery window and undeletes', async () => {
    const id = `${env()}/svc/old`;
    await secrets.create({ name: id, kind: 'generic', value: 'v' });
    const { deletionDate } = await secrets.delete(id, { recoveryWindowDays: 7 });
    expect(deletionDate).toBeInstanceOf(Date);
    await expect(secrets.get(id)).rejects.toMatchObject({ code: 'SECRET_SCHEDULED_FOR_DELETION' });
    await secrets.undelete(id);
    expect(await secrets.get(id)).toBe('v');
    await secrets.delete(id, { force: true });
    await expect(secrets.get(id)).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
  });

  it('lists by environment, service, tag and prefix', async () => {
    const e = env();
    await secrets.create({
      name: 'a',
      kind: 'generic',
      environment: e,
      service: 'billing',
      tags: { team: 'red' },
    });
    await secrets.create({
      name: 'b',
      kind: 'generic',
      environment: e,
      service: 'billing',
      tags: { team: 'blue' },
    });
    await secrets.create({
      name: 'c',
      kind: 'generic',
      environment: e,
      service: 'search',
      tags: { team: 'red' },
    });
    expect(await names(secrets.list({ environment: e }))).toEqual([
      `${e}/billing/a`,
      `${e}/billing/b`,
      `${e}/search/c`,
    ]);
    expect(await names(secrets.list({ environment: e, service: 'billing' }))).toEqual([
      `${e}/billing/a`,
      `${e}/billing/b`,
    ]);
    expect(await names(secrets.list({ environment: e, tag: { key: 'team', value: 'red' } }))).toEqual([
      `${e}/billing/a`,
      `${e}/search/c`,
    ]);
    expect(await names(secrets.list({ prefix: `${e}/search` }))).toEqual([`${e}/search/c`]);
  });

  it('rotates and waits for completion through a registered rotation function', async () => {
    const lambda = 'arn:aws:lambda:us-east-1:000000000000:function:it-rotate';
    const id = `${env()}/svc/rotating`;
    await secrets.create({ name: id, kind: 'generic', value: 'before' });
    local.endpoint.registerRotationHandler(lambda, async (event) => {
      if (event.Step === 'createSecret')
        await secrets.put(id, 'after', {
          clientRequestToken: event.ClientRequestToken,
          versionStages: ['AWSPENDING'],
        });
      if (event.Step === 'finishSecret')
        await secrets.rollback(id, { toVersionId: event.ClientRequestToken });
    });
    // Configure rotation without rotating (only testSecret runs), then rotate through the client.
    await local.sm().send(
      new RotateSecretCommand({
        SecretId: id,
        RotationLambdaARN: lambda,
        RotateImmediately: false,
      }),
    );
    await local.endpoint.rotationsIdle();
    const result = await secrets.rotate(id, { waitForCompletion: true, timeoutMs: 10_000 });
    expect(result.completed).toBe(true);
    expect(await secrets.get(id)).toBe('after');
    expect((await secrets.describe(id)).rotation).toMatchObject({ enabled: true, inProgress: false });
  });
});
