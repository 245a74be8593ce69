import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import type { SecretsClient } from '../../../../lib/client';
import { copyEnvironment } from '../../../../lib/transfer';
import {
  LIVE_TO_TEST,
  PLANTED,
  copyFixture,
  recordedClient,
  type CopyFixture,
  type SendRecorder,
} from './copy-fixture';

let fixture: CopyFixture;
let client: SecretsClient;
let recorder: SendRecorder;

beforeAll(async () => {
  fixture = await copyFixture();
  const keyId = (await fixture.local.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  ({ client, recorder } = recordedClient(fixture.local, { envelope: { keyId } }));
  await client.create({
    environment: 'prod',
    service: 'app',
    name: 'ledger',
    kind: 'encrypted-json',
    value: { api_live_key: PLANTED },
  });
});
afterAll(() => fixture.close());

const options = { from: 'prod', to: 'dev', transform: [LIVE_TO_TEST] };

async function versions(): Promise<number> {
  const listed = await fixture.raw.send(
    new ListSecretVersionIdsCommand({ SecretId: 'dev/app/ledger', IncludeDeprecated: true }),
  );
  return listed.Versions?.length ?? 0;
}

describe('copyEnvironment of encrypted-json secrets', () => {
  it('re-encrypts for the target, bound to its ARN, with keys transformed', async () => {
    const result = await copyEnvironment(client, options);

    expect(result.entries[0]).toMatchObject({ action: 'create', target: 'dev/app/ledger' });
    expect(await client.getJson('dev/app/ledger')).toEqual({ api_test_key: PLANTED });
    const stored = await fixture.raw.send(new GetSecretValueCommand({ SecretId: 'dev/app/ledger' }));
    expect(stored.SecretString).not.toContain(PLANTED);
  });

  it('compares decrypted values: a rerun is unchanged', async () => {
    const result = await copyEnvironment(client, options);

    expect(result.entries[0]).toMatchObject({ action: 'skip', reason: 'unchanged' });
    expect(await versions()).toBe(1);
  });

  it('copies a new source version, and after a rollback makes the copied version current again', async () => {
    await client.put('prod/app/ledger', { api_live_key: `${PLANTED}-2` }, { kind: 'encrypted-json' });
    const updated = await copyEnvironment(client, options);
    expect(updated.entries[0]).toMatchObject({ action: 'update', changes: ['value'] });
    expect(await client.getJson('dev/app/ledger')).toEqual({ api_test_key: `${PLANTED}-2` });
    expect(await versions()).toBe(2);

    await client.rollback('dev/app/ledger');
    // The same token again, encrypted afresh: Secrets Manager refuses it (the version
    // exists with other bytes), and the copy makes that version current instead.
    const writes = recorder.writes();
    const again = await copyEnvironment(client, options);

    expect(recorder.writeCommands().slice(writes)).toEqual(['PutSecretValue', 'UpdateSecretVersionStage']);

    expect(again.entries[0]).toMatchObject({
      action: 'update',
      versionId: (updated.entries[0] as { versionId: string }).versionId,
    });
    expect(await client.getJson('dev/app/ledger')).toEqual({ api_test_key: `${PLANTED}-2` });
    expect(await versions()).toBe(2);
  });
});
