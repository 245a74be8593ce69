import { SecretsClient } from '../../../../lib/client';
import { ConflictError, ValidationError } from '../../../../lib/errors';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';

// rollback's fromVersionId: the compare-and-swap is on the version the caller expects to
// hold AWSCURRENT, not on whichever holds it when the rollback reads the labels.

let local: LocalFixture;
let secrets: SecretsClient;
let n = 0;

beforeAll(async () => {
  local = await startLocal();
  secrets = new SecretsClient({ secretsManager: local.sm() });
});
afterAll(() => local.endpoint.close());

async function threeVersions() {
  const { name, versionId: v1 } = await secrets.create({ name: `cas${++n}`, kind: 'generic', value: 'one' });
  const v2 = await secrets.put(name, 'two');
  return { name, v1, v2 };
}

const current = async (name: string) =>
  (await secrets.versions(name)).find((version) => version.stages.includes('AWSCURRENT'))?.versionId;

describe('SecretsClient.rollback with fromVersionId', () => {
  it('moves AWSCURRENT when the expected version holds it', async () => {
    const { name, v1, v2 } = await threeVersions();
    expect(await secrets.rollback(name, { fromVersionId: v2, toVersionId: v1 })).toMatchObject({
      fromVersionId: v2,
      toVersionId: v1,
    });
    expect(await current(name)).toBe(v1);
  });

  it('fails with CONFLICT and changes nothing when another writer moved AWSCURRENT', async () => {
    const { name, v1, v2 } = await threeVersions();
    const v3 = await secrets.put(name, 'three, by someone else');
    const error = await secrets
      .rollback(name, { fromVersionId: v2, toVersionId: v1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain(`is on ${v3}, not on ${v2}`);
    expect(await current(name)).toBe(v3);
  });

  it('succeeds without a change when AWSCURRENT is on the target already, so a repeat is safe', async () => {
    const { name, v1, v2 } = await threeVersions();
    await secrets.rollback(name, { fromVersionId: v2, toVersionId: v1 });
    expect(await secrets.rollback(name, { fromVersionId: v2, toVersionId: v1 })).toMatchObject({
      fromVersionId: v1,
      toVersionId: v1,
    });
    expect(await current(name)).toBe(v1);
  });

  it('refuses a fromVersionId that is no version token before any call', async () => {
    await expect(secrets.rollback('cas-none', { fromVersionId: 'short' })).rejects.toMatchObject({
      field: 'fromVersionId',
    });
    await expect(secrets.rollback('cas-none', { fromVersionId: 'short' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
