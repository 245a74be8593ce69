import { CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import type { AuditEntry } from '../../../../lib/audit/audit-event';
import type { AccessEvaluator, KeyChanges, VersionDiff } from '../../../../lib/client';
import { SecretsClient } from '../../../../lib/client';
import { PermissionDeniedError, SecretNotFoundError, ValidationError } from '../../../../lib/errors';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';

const PLANTED = 'planted-Diff-9xQ-never-shown';
const PLANTED_TOO = 'planted-Other-4kR-never-shown';

let local: LocalFixture;
let n = 0;
const name = () => `prod/diff/s${++n}`;

beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());

/** Counts the commands a client sends. */
function counted(sm: SecretsManagerClient): { readonly calls: () => number } {
  let calls = 0;
  (sm.middlewareStack as { add: (mw: unknown, opts: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>) => (args: unknown) => {
      calls++;
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return { calls: () => calls };
}

function client(options: { policy?: AccessEvaluator; envelope?: { keyId: string } } = {}) {
  const sm = local.sm();
  const events: AuditEntry[] = [];
  const counter = counted(sm);
  const secrets = new SecretsClient({
    secretsManager: sm,
    kms: local.kms(),
    audit: { record: (event) => void events.push(event) },
    ...(options.policy === undefined
      ? {}
      : {
          policy: options.policy,
          principal: { id: 'ana', service: 'billing', environment: 'prod', roles: [] },
        }),
    ...(options.envelope === undefined ? {} : { envelope: options.envelope }),
  });
  return { secrets, sm, events, calls: counter.calls };
}

/** A secret with two versions: `first` (then AWSPREVIOUS) and `second` (AWSCURRENT). */
async function twoVersions(first: string | Uint8Array, second: string | Uint8Array) {
  const { secrets, sm, events, calls } = client();
  const id = name();
  const ref = await secrets.create({ name: id, kind: 'generic', value: first });
  const secondId = await secrets.put(id, second);
  return { secrets, sm, events, calls, id, firstId: ref.versionId, secondId };
}

const json = (value: object) => JSON.stringify(value);

/** The key changes of a diff that must be of two JSON objects. */
function keysOf(diff: VersionDiff): KeyChanges {
  if (diff.format !== 'json') throw new Error(`expected a JSON diff, got ${diff.format}`);
  return diff.keys;
}

describe('SecretsClient.diff', () => {
  describe('JSON secrets', () => {
    it('reports keys added, removed and changed as dotted paths, never a value', async () => {
      const { secrets, events, id, firstId, secondId } = await twoVersions(
        json({
          user: 'app',
          password: PLANTED,
          db: { host: 'a', port: 5432, tls: { mode: 'verify' } },
          old: 1,
        }),
        json({
          user: 'app',
          password: PLANTED_TOO,
          db: { host: 'b', port: 5432, tls: { mode: 'verify' } },
          new: 2,
        }),
      );
      const result = await secrets.diff(id, 'AWSPREVIOUS', 'AWSCURRENT');
      expect(result).toMatchObject({
        format: 'json',
        changed: true,
        keys: { added: ['new'], removed: ['old'], changed: ['db.host', 'password'], unchanged: 3 },
        from: { versionId: firstId, stages: ['AWSPREVIOUS'], format: 'json' },
        to: { versionId: secondId, stages: ['AWSCURRENT'], format: 'json' },
      });
      const shown = [JSON.stringify(result), inspect(result, { depth: 10 }), JSON.stringify(events)].join(
        '\n',
      );
      expect(shown).not.toContain(PLANTED);
      expect(shown).not.toContain(PLANTED_TOO);
    });

    it('stops at depth: a subtree below it is one changed path', async () => {
      const { secrets, id } = await twoVersions(
        json({ db: { tls: { mode: 'verify' } } }),
        json({ db: { tls: { mode: 'off' } } }),
      );
      expect(keysOf(await secrets.diff(id, 'AWSPREVIOUS', 'AWSCURRENT'))).toEqual({
        added: [],
        removed: [],
        changed: ['db.tls.mode'],
        unchanged: 0,
      });
      const shallow = await secrets.diff(id, 'AWSPREVIOUS', 'AWSCURRENT', { depth: 1 });
      expect(shallow).toMatchObject({ format: 'json', keys: { changed: ['db'] } });
    });

    it('escapes dots and backslashes in key names, so paths stay unambiguous', async () => {
      const { secrets, id } = await twoVersions(
        json({ 'a.b': 1, a: { b: 1 }, 'c\\d': 1 }),
        json({ 'a.b': 2, a: { b: 2 }, 'c\\d': 2 }),
      );
      expect(keysOf(await secrets.diff(id, 'AWSPREVIOUS', 'AWSCURRENT'))).toMatchObject({
        changed: ['a.b', 'a\\.b', 'c\\\\d'],
      });
    });

    it('ignores formatting and key order: the same JSON is unchanged', async () => {
      const { secrets, id } = await twoVersions('{"a":1,"b":[1,2]}', '{ "b": [1, 2],\n  "a": 1 }');
      const result = await secrets.diff(id, 'AWSPREVIOUS', 'AWSCURRENT');
      expect(result).toMatchObject({ format: 'json', changed: false, keys: { unchanged: 2 } });
      expect(result.from.length).not.toBe(result.to.length);
    });

    it('compares arrays and values of different types as leaves', async () => {
      const { secrets, id } = await twoVersions(
        json({ uris: ['a', 'b'], n: 1 }),
        json({ uris: ['b', 'a'], n: '1' }),
      );
      expect(keysOf(await secrets.diff(id, 'AWSPREVIOUS', 'AWSCURRENT'))).toMatchObject({
        changed: ['n', 'uris'],
      });
    });
  });

  describe('strings and bytes', () => {
    it('says whether two strings differ and gives both lengths in bytes', async () => {
      const { secrets, events, id } = await twoVersions(PLANTED, `${PLANTED_TOO}-é`);
      const result = await secrets.diff(id, 'AWSPREVIOUS', 'AWSCURRENT');
      expect(result).toMatchObject({
        format: 'string',
        changed: true,
        from: { length: PLANTED.length },
        to: { length: PLANTED_TOO.length + 3 },
      });
      expect(result).not.toHaveProperty('keys');
      const shown = JSON.stringify([result, events]);
      expect(shown).not.toContain(PLANTED);
      expect(shown).not.toContain(PLANTED_TOO);
    });

    it('finds two versions with the same string unchanged', async () => {
      const { secrets, id } = await twoVersions(PLANTED, PLANTED);
      expect(await secrets.diff(id, 'AWSPREVIOUS', 'AWSCURRENT')).toMatchObject({
        format: 'string',
        changed: false,
      });
    });

    it('compares binary values the same way', async () => {
      const { secrets, id } = await twoVersions(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 4, 5]));
      expect(await secrets.diff(id, 'AWSPREVIOUS', 'AWSCURRENT')).toMatchObject({
        format: 'binary',
        changed: true,
        from: { format: 'binary', length: 3 },
        to: { format: 'binary', length: 4 },
      });
    });

    it('reports a change of format (JSON object to plain text) as mixed and changed', async () => {
      const { secrets, id } = await twoVersions(json({ password: PLANTED }), PLANTED);
      const result = await secrets.diff(id, 'AWSPREVIOUS', 'AWSCURRENT');
      expect(result).toMatchObject({
        format: 'mixed',
        changed: true,
        from: { format: 'json' },
        to: { format: 'string' },
      });
      expect(JSON.stringify(result)).not.toContain(PLANTED);
    });
  });

  describe('naming versions', () => {
    it('takes VersionIds and labels of your own', async () => {
      const { secrets, sm, id, firstId, secondId } = await twoVersions('one', 'two');
      await sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: id,
          VersionStage: 'RELEASED',
          MoveToVersionId: firstId,
        }),
      );
      const byId = await secrets.diff(id, secondId, firstId);
      expect(byId).toMatchObject({
        from: { versionId: secondId },
        to: { versionId: firstId },
        changed: true,
      });
      const byLabel = await secrets.diff(id, 'RELEASED', 'AWSCURRENT');
      expect(byLabel.from).toMatchObject({ versionId: firstId, stages: ['AWSPREVIOUS', 'RELEASED'] });
    });

    it('prefers a VersionId over a label of the same text', async () => {
      const { secrets, sm, id, firstId, secondId } = await twoVersions('one', 'two');
      // A label spelled like the first version's id, put on the second version.
      await sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: id,
          VersionStage: firstId,
          MoveToVersionId: secondId,
        }),
      );
      expect((await secrets.diff(id, firstId, 'AWSCURRENT')).from.versionId).toBe(firstId);
    });

    it('compares a version with itself as unchanged, reading it once', async () => {
      const { secrets, id, calls } = await twoVersions('one', 'two');
      const before = calls();
      expect(await secrets.diff(id, 'AWSCURRENT', 'AWSCURRENT')).toMatchObject({ changed: false });
      // ListSecretVersionIds and one GetSecretValue.
      expect(calls() - before).toBe(2);
    });

    it('reads an unlabelled (deprecated) version by its id', async () => {
      const { secrets, sm, id, firstId } = await twoVersions('one', 'two');
      await sm.send(
        new PutSecretValueCommand({ SecretId: id, SecretString: 'three', ClientRequestToken: randomUUID() }),
      );
      const versions = await secrets.versions(id, { includeDeprecated: true });
      expect(versions.find((v) => v.versionId === firstId)?.stages).toEqual([]);
      expect((await secrets.diff(id, firstId, 'AWSCURRENT')).from).toMatchObject({
        versionId: firstId,
        stages: [],
      });
    });

    it('fails with SECRET_NOT_FOUND for a version the secret does not have', async () => {
      const { secrets, id } = await twoVersions(PLANTED, 'two');
      const error = await secrets.diff(id, 'AWSPENDING', 'AWSCURRENT').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretNotFoundError);
      expect((error as Error).message).toContain('"AWSPENDING" (fromVersion)');
      expect((error as Error).message).not.toContain(PLANTED);
    });
  });

  describe('arguments', () => {
    it.each([
      ['fromVersion', (s: SecretsClient) => s.diff('prod/diff/x', '', 'AWSCURRENT')],
      ['toVersion', (s: SecretsClient) => s.diff('prod/diff/x', 'AWSPREVIOUS', 42 as unknown as string)],
      ['depth', (s: SecretsClient) => s.diff('prod/diff/x', 'AWSPREVIOUS', 'AWSCURRENT', { depth: 0 })],
      ['id', (s: SecretsClient) => s.diff('has space', 'AWSPREVIOUS', 'AWSCURRENT')],
      [
        'deep',
        (s: SecretsClient) => s.diff('prod/diff/x', 'AWSPREVIOUS', 'AWSCURRENT', { deep: true } as never),
      ],
    ])('refuses a bad %s before any call', async (field, call) => {
      const { secrets, calls } = client();
      const error = await call(secrets).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
      expect(calls()).toBe(0);
    });
  });

  describe('pipeline', () => {
    it('is audited as one read naming both versions', async () => {
      const { secrets, events, id, firstId, secondId } = await twoVersions(PLANTED, PLANTED_TOO);
      events.length = 0;
      await secrets.diff(id, 'AWSPREVIOUS', 'AWSCURRENT');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        action: 'diff',
        event_type: 'secret_access',
        secret_name: id,
        success: true,
        version_id: secondId,
        details: { from_version_id: firstId, to_version_id: secondId },
      });
    });

    it('is asked of the access policy as a read, and refused without a call', async () => {
      const asked: string[] = [];
      const policy: AccessEvaluator = {
        evaluate: (request) => {
          asked.push(request.operation);
          return { allowed: false, rule: undefined, reason: `no rule allows ${request.operation}` };
        },
      };
      const { secrets, calls, events } = client({ policy });
      await expect(secrets.diff('prod/diff/any', 'AWSPREVIOUS', 'AWSCURRENT')).rejects.toBeInstanceOf(
        PermissionDeniedError,
      );
      expect(asked).toEqual(['read']);
      expect(calls()).toBe(0);
      expect(events[0]).toMatchObject({ action: 'diff', event_type: 'access_denied' });
    });

    it('opens encrypted-json versions with the envelope key and compares their JSON', async () => {
      const keyId = (await local.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
      const { secrets } = client({ envelope: { keyId } });
      const id = name();
      await secrets.create({ name: id, kind: 'encrypted-json', value: { token: PLANTED, scope: 'read' } });
      await secrets.put(id, { token: PLANTED_TOO, scope: 'read' }, { kind: 'encrypted-json' });
      const result = await secrets.diff(id, 'AWSPREVIOUS', 'AWSCURRENT');
      expect(result).toMatchObject({ format: 'json', keys: { changed: ['token'], unchanged: 1 } });
      expect(JSON.stringify(result)).not.toContain(PLANTED);
    });
  });
});
