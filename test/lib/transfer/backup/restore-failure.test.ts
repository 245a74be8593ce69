import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  RestoreSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createBackup, restoreBackup } from '../../../../lib/transfer';
import type { LocalFixture } from '../../../support/local-endpoint';
import {
  POLICY,
  backupEndpoint,
  labelled,
  recordedClient,
  seedSource,
  snapshot,
  tempDir,
  token,
  writesIn,
} from './backup-fixtures';

// Every write of a restore is a place where it can fail or be killed. These suites fail the
// N-th write, for every N, against a target that already holds some of the secrets (one
// changed, one scheduled for deletion, others missing), and check what is left.

const protection = { passphrase: 'correct horse battery staple, failures' };
const dir = tempDir();
const file = join(dir, 'prod.ksb');

/** The target before the restore: stripe changed, replicated scheduled for deletion (with a policy), db without its settings. */
async function seedTarget(local: LocalFixture): Promise<void> {
  const sm = local.sm();
  await sm.send(
    new CreateSecretCommand({
      Name: 'prod/billing/stripe',
      Description: 'an older description',
      ClientRequestToken: token('t1'),
      SecretString: '{"key":"sk_live_target"}',
      Tags: [
        { Key: 'keystage:environment', Value: 'prod' },
        { Key: 'owner', Value: 'someone-else' },
        { Key: 'extra', Value: '1' },
      ],
    }),
  );
  await sm.send(
    new CreateSecretCommand({
      Name: 'prod/app/replicated',
      ClientRequestToken: token('t2'),
      SecretString: 'old',
    }),
  );
  // A policy the backup lacks: unreadable while the secret is deleted, it must survive a rollback.
  await sm.send(new PutResourcePolicyCommand({ SecretId: 'prod/app/replicated', ResourcePolicy: POLICY }));
  await sm.send(new DeleteSecretCommand({ SecretId: 'prod/app/replicated', RecoveryWindowInDays: 7 }));
  await sm.send(
    new CreateSecretCommand({
      Name: 'prod/app/db',
      ClientRequestToken: token('c1'),
      SecretString: '{"username":"app","password":"db-password-1"}',
    }),
  );
}

/** A fresh endpoint holding the target's prior state. */
async function target(): Promise<LocalFixture> {
  const local = await backupEndpoint();
  await seedTarget(local);
  return local;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

let reference: Awaited<ReturnType<typeof snapshot>>;
let writes: number;

beforeAll(async () => {
  const source = await backupEndpoint();
  await seedSource(source);
  await createBackup(recordedClient(source).client, {
    environments: ['prod'],
    destination: file,
    protection,
  });
  await source.endpoint.close();

  const local = await target();
  const { client, sent } = recordedClient(local);
  const result = await restoreBackup(client, file, { protection });
  expect(result.outcome).toBe('restored');
  writes = writesIn(sent).length;
  reference = await snapshot(local);
  await local.endpoint.close();
});

describe('restoreBackup with rollbackOnFailure', () => {
  it('has enough writes to test: creates, an undelete, versions, labels, tags, a policy, rotation, replicas', () => {
    expect(writes).toBeGreaterThanOrEqual(15);
  });

  for (const when of ['before', 'after'] as const) {
    it(`returns every touched secret to its prior state when any write fails (${when} taking effect)`, async () => {
      for (let at = 1; at <= writes; at++) {
        const local = await target();
        try {
          const prior = await snapshot(local);
          const { client } = recordedClient(local, { at, when });
          const result = await restoreBackup(client, file, { protection });
          expect({ at, outcome: result.outcome }).toEqual({ at, outcome: 'rolled-back' });
          expect(result.failure).toMatchObject({ code: 'SERVICE_ERROR' });
          for (const secret of result.secrets)
            expect({ at, status: secret.status }).toEqual({ at, status: 'rolled-back' });
          const after = await snapshot(local);
          expect({ at, state: labelled(after) }).toEqual({ at, state: labelled(prior) });
          // The deleted secret's policy, unreadable while deleted, is still there (the endpoint is thrown away after).
          await local.sm().send(new RestoreSecretCommand({ SecretId: 'prod/app/replicated' }));
          const kept = await local
            .sm()
            .send(new GetResourcePolicyCommand({ SecretId: 'prod/app/replicated' }));
          expect({ at, policy: kept.ResourcePolicy }).toEqual({ at, policy: POLICY });
          // The versions it added stay (Secrets Manager deletes none on request), without labels.
          for (const [name, secret] of Object.entries(prior)) {
            expect(after[name]!.allVersionIds).toEqual(expect.arrayContaining([...secret.allVersionIds]));
          }
        } finally {
          await local.endpoint.close();
        }
      }
    });
  }

  it('without rollbackOnFailure, stops at the failure and leaves what was done', async () => {
    const local = await target();
    try {
      const { client } = recordedClient(local, { at: 3, when: 'before' });
      const heard: Array<{ name: string; status: string }> = [];
      const result = await restoreBackup(client, file, {
        protection,
        rollbackOnFailure: false,
        onSecret: ({ name, status }) => void heard.push({ name, status }),
      });
      expect(result.outcome).toBe('failed');
      // Each secret once, as it was left: the failed one last.
      expect(heard).toEqual(result.secrets.map(({ name, status }) => ({ name, status })));
      expect(result.secrets.at(-1)).toMatchObject({ status: 'failed', error: { code: 'SERVICE_ERROR' } });
      expect(result.secrets.slice(0, -1).every((secret) => secret.status === 'restored')).toBe(true);
    } finally {
      await local.endpoint.close();
    }
  });
});

describe('restoreBackup killed between writes', () => {
  it('finishes on a rerun with the state of an uninterrupted run and no duplicate versions, wherever it was killed', async () => {
    for (let at = 1; at <= writes; at++) {
      const local = await target();
      try {
        const crashed = recordedClient(local, { at, when: 'after' });
        const first = await restoreBackup(crashed.client, file, { protection, rollbackOnFailure: false });
        expect({ at, outcome: first.outcome }).toEqual({ at, outcome: 'failed' });
        const rerun = await restoreBackup(recordedClient(local).client, file, { protection });
        expect({ at, outcome: rerun.outcome }).toEqual({ at, outcome: 'restored' });
        // allVersionIds too: the same versions, none written twice.
        expect({ at, state: await snapshot(local) }).toEqual({ at, state: reference });
      } finally {
        await local.endpoint.close();
      }
    }
  });
});
