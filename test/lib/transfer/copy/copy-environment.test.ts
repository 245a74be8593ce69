import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { inspect } from 'node:util';
import { isWellFormedApiKey } from '../../../../lib/generate';
import { KeystageError, ValidationError } from '../../../../lib/errors';
import { copyEnvironment, type CopyEntry, type CopyResult } from '../../../../lib/transfer';
import { checkCopyOptions } from '../../../../lib/transfer/copy/copy-options';
import { copyToken } from '../../../../lib/transfer/copy/copy-token';
import { planCopy } from '../../../../lib/transfer/copy/plan-copy';
import { runWrites } from '../../../../lib/transfer/copy/write-copy';
import {
  LIVE_TO_TEST,
  PLANTED,
  SCENARIO_OPTIONS,
  copyFixture,
  recordedClient,
  seedScenario,
  stateOf,
  type CopyFixture,
} from './copy-fixture';

let fixture: CopyFixture;

beforeEach(async () => {
  fixture = await copyFixture();
});
afterEach(() => fixture.close());

function entryOf(result: CopyResult, source: string): CopyEntry {
  const entry = result.entries.find((candidate) => candidate.source === source);
  if (entry === undefined) throw new Error(`no entry for ${source}`);
  return entry;
}

/** What an entry says, without the fields that vary per endpoint. */
function shape(entry: CopyEntry): object {
  if (entry.action === 'skip')
    return { action: 'skip', target: entry.target, reason: entry.reason, regenerate: entry.regenerate };
  return {
    action: entry.action,
    target: entry.target,
    regenerate: entry.regenerate,
    ...(entry.action === 'update' ? { changes: entry.changes } : {}),
  };
}

async function rejection(promise: Promise<unknown>): Promise<KeystageError> {
  try {
    await promise;
  } catch (error) {
    return error as KeystageError;
  }
  throw new Error('expected the call to fail');
}

async function versionCount(name: string): Promise<number> {
  const versions = await fixture.raw.send(
    new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }),
  );
  return versions.Versions?.length ?? 0;
}

async function currentValue(name: string): Promise<string | undefined> {
  return (await fixture.raw.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
}

describe('copyEnvironment', () => {
  describe('the plan', () => {
    it('says per secret create, update or skip, with the reason, and a dry run writes nothing', async () => {
      await seedScenario(fixture.admin);
      const before = await stateOf(fixture.raw, 'staging/');
      const { client, recorder } = recordedClient(fixture.local);

      const plan = await copyEnvironment(client, { ...SCENARIO_OPTIONS, dryRun: true });

      expect(plan).toMatchObject({
        from: 'prod',
        to: 'staging',
        dryRun: true,
        counts: { create: 4, update: 2, skip: 3 },
      });
      expect(plan.entries.map((entry) => [entry.source, shape(entry)])).toEqual([
        ['prod/billing/config', { action: 'create', target: 'staging/billing/config', regenerate: false }],
        ['prod/billing/db', { action: 'create', target: 'staging/billing/db', regenerate: true }],
        [
          'prod/billing/legacy-token',
          { action: 'skip', target: 'staging/billing/legacy-token', reason: 'excluded', regenerate: false },
        ],
        [
          'prod/billing/stripe_live_key',
          { action: 'create', target: 'staging/billing/stripe_test_key', regenerate: false },
        ],
        ['prod/billing/webhook', { action: 'create', target: 'staging/billing/webhook', regenerate: true }],
        [
          'prod/search/api',
          { action: 'update', target: 'staging/search/api', regenerate: false, changes: ['value', 'tags'] },
        ],
        [
          'prod/search/index-key',
          { action: 'update', target: 'staging/search/index-key', regenerate: false, changes: ['tags'] },
        ],
        [
          'prod/search/same',
          { action: 'skip', target: 'staging/search/same', reason: 'unchanged', regenerate: false },
        ],
        [
          'prod/search/signing',
          { action: 'skip', target: 'staging/search/signing', reason: 'exists', regenerate: true },
        ],
      ]);
      expect(plan.entries.every((entry) => entry.action === 'skip' || entry.outcome === 'planned')).toBe(
        true,
      );
      expect(recorder.writeCommands()).toEqual([]);
      expect(await stateOf(fixture.raw, 'staging/')).toEqual(before);
    });

    it('a run reports the same plan, each write done with the version it left current', async () => {
      await seedScenario(fixture.admin);
      const { client } = recordedClient(fixture.local);
      const plan = await copyEnvironment(client, { ...SCENARIO_OPTIONS, dryRun: true });

      const done = await copyEnvironment(client, SCENARIO_OPTIONS);

      expect(done.dryRun).toBe(false);
      expect(done.entries.map(shape)).toEqual(plan.entries.map(shape));
      const after = await stateOf(fixture.raw, 'staging/');
      for (const entry of done.entries) {
        if (entry.action === 'skip') continue;
        expect(entry.outcome).toBe('done');
        expect(entry.denied).toBeUndefined();
        const changedValue = entry.action === 'create' || entry.changes.includes('value');
        expect(entry.versionId).toBe(
          changedValue ? after.find((s) => s.name === entry.target)!.currentVersionId : undefined,
        );
      }
      expect(entryOf(done, 'prod/search/api')).toMatchObject({ sourceVersionId: expect.any(String) });
      expect(entryOf(done, 'prod/billing/db')).toMatchObject({ sourceVersionId: undefined });
    });
  });

  describe('what the target gets', () => {
    it('the kind, description and own tags; keystage tags for its new place; the value as it is', async () => {
      await seedScenario(fixture.admin);
      const { client } = recordedClient(fixture.local);

      await copyEnvironment(client, SCENARIO_OPTIONS);

      const [stripe] = await stateOf(fixture.raw, 'staging/billing/stripe');
      expect(stripe).toMatchObject({
        name: 'staging/billing/stripe_test_key',
        description: 'Stripe secret key',
        kmsKeyId: undefined,
        tags: {
          owner: 'billing',
          'keystage:type': 'generic',
          'keystage:status': 'active',
          'keystage:environment': 'staging',
          'keystage:service': 'billing',
        },
        versionCount: 1,
        // Names and JSON keys are rewritten by default; a value is copied as it is.
        value: `sk_live_${PLANTED}`,
      });
      expect(JSON.parse((await currentValue('staging/billing/config'))!)).toEqual({
        api_test_url: 'https://api.example',
        token: PLANTED,
      });
    });

    it('rewrites string values only with a values transform, and copies bytes as they are', async () => {
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'db-url',
        kind: 'generic',
        value: 'postgres://app@db.prod.internal/app',
      });
      const key = await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'key',
        kind: 'symmetric-key',
      });
      const { client } = recordedClient(fixture.local);

      await copyEnvironment(client, {
        from: 'prod',
        to: 'dev',
        transform: [{ replace: '.prod.', with: '.dev.', in: ['values'] }],
      });

      expect(await currentValue('dev/app/db-url')).toBe('postgres://app@db.dev.internal/app');
      const source = await fixture.raw.send(new GetSecretValueCommand({ SecretId: key.arn }));
      const copied = await fixture.raw.send(new GetSecretValueCommand({ SecretId: 'dev/app/key' }));
      expect(Buffer.from(copied.SecretBinary!)).toEqual(Buffer.from(source.SecretBinary!));
    });

    it('creates with kmsKeyId, and leaves existing targets on their own key', async () => {
      const keyId = (await fixture.local.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'a',
        kind: 'generic',
        value: 'one',
      });
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'b',
        kind: 'generic',
        value: 'two',
      });
      await fixture.admin.create({
        environment: 'dev',
        service: 'app',
        name: 'b',
        kind: 'generic',
        value: 'old',
      });
      const { client } = recordedClient(fixture.local);

      await copyEnvironment(client, { from: 'prod', to: 'dev', kmsKeyId: keyId });

      const [a, b] = await stateOf(fixture.raw, 'dev/');
      expect(a).toMatchObject({ name: 'dev/app/a', kmsKeyId: keyId, value: 'one' });
      expect(b).toMatchObject({ name: 'dev/app/b', kmsKeyId: undefined, value: 'two' });
    });
  });

  describe('regenerate', () => {
    it('generates a target once: a rerun keeps it, whatever the source does since', async () => {
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'session',
        kind: 'generic',
        value: PLANTED,
      });
      const { client } = recordedClient(fixture.local);
      const options = { from: 'prod', to: 'dev', regenerate: ['app/session'] };

      await copyEnvironment(client, options);
      const generated = await currentValue('dev/app/session');
      await fixture.admin.put('prod/app/session', `${PLANTED}-2`);
      const rerun = await copyEnvironment(client, options);

      expect(generated).not.toBe(PLANTED);
      expect(generated).toMatch(/^.{32}$/);
      expect(entryOf(rerun, 'prod/app/session')).toMatchObject({
        action: 'skip',
        reason: 'exists',
        regenerate: true,
      });
      expect(await currentValue('dev/app/session')).toBe(generated);
      expect(await versionCount('dev/app/session')).toBe(1);
    });

    it("keeps a database secret's connection fields (transformed) with a new password, and an API key's prefix", async () => {
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'db',
        kind: 'database',
        value: {
          engine: 'mysql',
          host: 'db.prod.internal',
          port: 3306,
          username: 'app',
          password: PLANTED,
          ssl: false,
          extra: 'kept',
        },
      });
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'api',
        kind: 'api-key',
        apiKeyPrefix: 'acme',
      });
      const { client } = recordedClient(fixture.local);

      await copyEnvironment(client, {
        from: 'prod',
        to: 'dev',
        regenerate: ['app/**'],
        transform: [{ replace: '.prod.', with: '.dev.', in: ['values'] }],
      });

      const db = JSON.parse((await currentValue('dev/app/db'))!) as Record<string, unknown>;
      expect(db).toEqual({
        engine: 'mysql',
        host: 'db.dev.internal',
        port: 3306,
        username: 'app',
        password: expect.any(String),
        ssl: false,
        extra: 'kept',
      });
      expect(db.password).not.toBe(PLANTED);
      const api = (await currentValue('dev/app/api'))!;
      expect(isWellFormedApiKey(api, { prefix: 'acme' })).toBe(true);
      expect(api).not.toBe(await currentValue('prod/app/api'));
    });

    it('fails the plan before any write for a kind that cannot be generated', async () => {
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'a',
        kind: 'generic',
        value: 'one',
      });
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'cfg',
        kind: 'json',
        value: { token: PLANTED },
      });
      const { client, recorder } = recordedClient(fixture.local);

      const error = await rejection(
        copyEnvironment(client, { from: 'prod', to: 'dev', regenerate: ['app/cfg'] }),
      );

      expect(error).toBeInstanceOf(ValidationError);
      expect(error.message).toMatch(
        /^Secret "prod\/app\/cfg" cannot be copied to "dev\/app\/cfg": A 'json' secret needs a value/,
      );
      expect(recorder.writeCommands()).toEqual([]);
    });
  });

  describe('an existing target', () => {
    it('gets one new version whose VersionId is the token derived from the source version and the target', async () => {
      const source = await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'a',
        kind: 'generic',
        value: 'new',
      });
      const old = await fixture.admin.create({
        environment: 'dev',
        service: 'app',
        name: 'a',
        kind: 'generic',
        value: 'old',
      });
      const { client } = recordedClient(fixture.local);

      const result = await copyEnvironment(client, { from: 'prod', to: 'dev' });

      const token = copyToken({
        sourceArn: source.arn,
        sourceVersionId: source.versionId,
        target: 'dev/app/a',
        targetVersionId: old.versionId,
        transforms: checkCopyOptions(client, { from: 'prod', to: 'dev' }).transforms.fingerprint,
      });
      expect(entryOf(result, 'prod/app/a')).toMatchObject({
        action: 'update',
        changes: ['value'],
        versionId: token,
      });
      const [state] = await stateOf(fixture.raw, 'dev/');
      expect(state).toMatchObject({ value: 'new', currentVersionId: token, versionCount: 2 });
    });

    it("changed since the copy, gets the source's value again in a new version", async () => {
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'a',
        kind: 'generic',
        value: 'copied',
      });
      const { client } = recordedClient(fixture.local);
      await copyEnvironment(client, { from: 'prod', to: 'dev' });
      await fixture.admin.put('dev/app/a', 'edited in dev');

      const result = await copyEnvironment(client, { from: 'prod', to: 'dev' });

      expect(entryOf(result, 'prod/app/a')).toMatchObject({ action: 'update', changes: ['value'] });
      expect(await currentValue('dev/app/a')).toBe('copied');
      expect(await versionCount('dev/app/a')).toBe(3);
    });

    it('rolled back since the copy, has the copied version made current again, without a new version', async () => {
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'a',
        kind: 'generic',
        value: 'copied',
      });
      await fixture.admin.create({
        environment: 'dev',
        service: 'app',
        name: 'a',
        kind: 'generic',
        value: 'old',
      });
      const { client } = recordedClient(fixture.local);
      const first = await copyEnvironment(client, { from: 'prod', to: 'dev' });
      await fixture.admin.rollback('dev/app/a');
      expect(await currentValue('dev/app/a')).toBe('old');

      const second = await copyEnvironment(client, { from: 'prod', to: 'dev' });

      expect(await currentValue('dev/app/a')).toBe('copied');
      expect(await versionCount('dev/app/a')).toBe(2);
      expect(entryOf(second, 'prod/app/a')).toMatchObject({
        versionId: (entryOf(first, 'prod/app/a') as { versionId: string }).versionId,
      });
    });

    it('written twice from one plan (a rerun planned from a stale read), still has one new version', async () => {
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'a',
        kind: 'generic',
        value: 'new',
      });
      await fixture.admin.create({
        environment: 'dev',
        service: 'app',
        name: 'a',
        kind: 'generic',
        value: 'old',
      });
      const { client } = recordedClient(fixture.local);
      const request = checkCopyOptions(client, { from: 'prod', to: 'dev' });
      const plan = await planCopy(client, request);

      await runWrites(plan, request);
      await runWrites(plan, request);

      expect(await versionCount('dev/app/a')).toBe(2);
      expect(await currentValue('dev/app/a')).toBe('new');
    });

    it('is left alone with overwrite: false, and only missing secrets are created', async () => {
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'a',
        kind: 'generic',
        value: 'new',
      });
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'b',
        kind: 'generic',
        value: 'b',
      });
      await fixture.admin.create({
        environment: 'dev',
        service: 'app',
        name: 'a',
        kind: 'generic',
        value: 'old',
      });
      const { client } = recordedClient(fixture.local);

      const result = await copyEnvironment(client, { from: 'prod', to: 'dev', overwrite: false });

      expect(result.entries.map(shape)).toEqual([
        { action: 'skip', target: 'dev/app/a', reason: 'exists', regenerate: false },
        { action: 'create', target: 'dev/app/b', regenerate: false },
      ]);
      expect(await currentValue('dev/app/a')).toBe('old');
    });

    it('is skipped when its kind differs, it is revoked, or it is scheduled for deletion', async () => {
      for (const name of ['kind', 'revoked', 'deleted']) {
        await fixture.admin.create({
          environment: 'prod',
          service: 'app',
          name,
          kind: 'generic',
          value: 'v',
        });
      }
      await fixture.admin.create({
        environment: 'dev',
        service: 'app',
        name: 'kind',
        kind: 'json',
        value: { a: 1 },
      });
      await fixture.admin.create({
        environment: 'dev',
        service: 'app',
        name: 'revoked',
        kind: 'generic',
        value: 'x',
      });
      await fixture.admin.revoke('dev/app/revoked', { reason: 'test' });
      await fixture.admin.create({
        environment: 'dev',
        service: 'app',
        name: 'deleted',
        kind: 'generic',
        value: 'x',
      });
      await fixture.admin.delete('dev/app/deleted', { recoveryWindowDays: 7 });
      const { client, recorder } = recordedClient(fixture.local);

      const result = await copyEnvironment(client, { from: 'prod', to: 'dev' });

      expect(result.entries.map((entry) => [entry.source, (entry as { reason?: string }).reason])).toEqual([
        ['prod/app/deleted', 'target-deleted'],
        ['prod/app/kind', 'kind-differs'],
        ['prod/app/revoked', 'target-revoked'],
      ]);
      expect(recorder.writeCommands()).toEqual([]);
    });
  });

  describe('the sources', () => {
    it('skips revoked, misnamed and unknown-kind sources, and copies only the services asked for', async () => {
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'revoked',
        kind: 'generic',
        value: 'v',
      });
      await fixture.admin.revoke('prod/app/revoked', { reason: 'leaked' });
      await fixture.admin.create({ name: 'legacy-name', kind: 'generic', value: 'v', tags: { team: 'x' } });
      await fixture.admin.tag('legacy-name', { 'keystage:environment': 'prod' });
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'odd',
        kind: 'generic',
        value: 'v',
      });
      await fixture.admin.tag('prod/app/odd', { 'keystage:type': 'future-kind' });
      await fixture.admin.create({
        environment: 'prod',
        service: 'other',
        name: 'x',
        kind: 'generic',
        value: 'v',
      });
      const { client } = recordedClient(fixture.local);

      const all = await copyEnvironment(client, { from: 'prod', to: 'dev', dryRun: true });
      const some = await copyEnvironment(client, {
        from: 'prod',
        to: 'dev',
        services: ['other'],
        dryRun: true,
      });

      expect(all.entries.map((entry) => [entry.source, shape(entry)])).toEqual([
        [
          'legacy-name',
          { action: 'skip', target: undefined, reason: 'outside-environment', regenerate: false },
        ],
        [
          'prod/app/odd',
          { action: 'skip', target: 'dev/app/odd', reason: 'unknown-kind', regenerate: false },
        ],
        [
          'prod/app/revoked',
          { action: 'skip', target: 'dev/app/revoked', reason: 'source-revoked', regenerate: false },
        ],
        ['prod/other/x', { action: 'create', target: 'dev/other/x', regenerate: false }],
      ]);
      expect(some.entries.map((entry) => entry.source)).toEqual(['prod/other/x']);
    });

    it('are every service of the environment, whatever service the client is scoped to', async () => {
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'a',
        kind: 'generic',
        value: 'v',
      });
      await fixture.admin.create({
        environment: 'prod',
        service: 'billing',
        name: 'b',
        kind: 'generic',
        value: 'v',
      });
      const { client } = recordedClient(fixture.local, { environment: 'prod', service: 'billing' });

      const result = await copyEnvironment(client, { from: 'prod', to: 'dev' });

      expect(result.entries.map(shape)).toEqual([
        { action: 'create', target: 'dev/app/a', regenerate: false },
        { action: 'create', target: 'dev/billing/b', regenerate: false },
      ]);
      expect((await stateOf(fixture.raw, 'dev/')).map((state) => state.name)).toEqual([
        'dev/app/a',
        'dev/billing/b',
      ]);
    });

    it('refuses two sources that transform to one target, before any write', async () => {
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'a',
        kind: 'generic',
        value: 'v',
      });
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'key_live_1',
        kind: 'generic',
        value: 'v',
      });
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'key_test_1',
        kind: 'generic',
        value: 'v',
      });
      const { client, recorder } = recordedClient(fixture.local);

      const error = await rejection(
        copyEnvironment(client, { from: 'prod', to: 'dev', transform: [LIVE_TO_TEST] }),
      );

      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ field: 'transform' });
      expect(error.message).toContain('"dev/app/key_test_1"');
      expect(recorder.writeCommands()).toEqual([]);
    });
  });

  describe('options', () => {
    it.each([
      ['no options', undefined, 'options'],
      ['a missing from', { to: 'dev' }, 'from'],
      ['a bad environment name', { from: 'prod', to: 'dev/x' }, 'to'],
      ['the same environment twice', { from: 'prod', to: 'prod' }, 'to'],
      ['an unknown option', { from: 'prod', to: 'dev', exclud: ['x'] }, 'exclud'],
      ['a bad pattern', { from: 'prod', to: 'dev', exclude: ['a//b'] }, 'exclude[0]'],
      ['a pattern that is not a string', { from: 'prod', to: 'dev', regenerate: [1] }, 'regenerate[0]'],
      ['an empty service list', { from: 'prod', to: 'dev', services: [] }, 'services'],
      ['a bad transform', { from: 'prod', to: 'dev', transform: [{ replace: '' }] }, 'transform[0].replace'],
      ['a bad dryRun', { from: 'prod', to: 'dev', dryRun: 'yes' }, 'dryRun'],
      ['a bad kmsKeyId', { from: 'prod', to: 'dev', kmsKeyId: '' }, 'kmsKeyId'],
      ['a target that is not a client', { from: 'prod', to: 'dev', target: {} }, 'target'],
      ['a bad principal', { from: 'prod', to: 'dev', principal: { id: 'x' } }, 'principal.service'],
    ])('refuses %s before any call', async (_what, options, field) => {
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'a',
        kind: 'generic',
        value: 'v',
      });
      const { client, recorder } = recordedClient(fixture.local);

      const error = await rejection(copyEnvironment(client, options as never));

      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ field });
      expect(recorder.commands).toEqual([]);
    });

    it('reads with the client given and writes with target, each auditing its own side', async () => {
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'a',
        kind: 'generic',
        value: PLANTED,
      });
      const source = recordedClient(fixture.local);
      const target = recordedClient(fixture.local);

      await copyEnvironment(source.client, { from: 'prod', to: 'dev', target: target.client });

      expect(source.recorder.writeCommands()).toEqual([]);
      expect(target.recorder.writeCommands()).toEqual(['CreateSecret']);
      expect(source.events.map((event) => [event.event_type, event.action, event.secret_name])).toEqual([
        ['secret_metadata', 'list', null],
        ['secret_access', 'getMany', 'prod/app/a'],
      ]);
      expect(target.events.map((event) => [event.event_type, event.action, event.secret_name])).toEqual([
        ['secret_metadata', 'describe', 'dev/app/a'],
        ['secret_change', 'create', 'dev/app/a'],
      ]);
    });
  });

  it('tells onEntry of each secret as its copy is done, in plan order, and not for a dry run', async () => {
    await seedScenario(fixture.admin);
    const heard: CopyEntry[] = [];
    const plan = await copyEnvironment(fixture.admin, {
      ...SCENARIO_OPTIONS,
      dryRun: true,
      onEntry: (entry) => void heard.push(entry),
    });
    expect(heard).toEqual([]);

    const result = await copyEnvironment(fixture.admin, {
      ...SCENARIO_OPTIONS,
      onEntry: async (entry) => {
        await Promise.resolve();
        heard.push(entry);
      },
    });
    expect(heard).toEqual(result.entries);
    expect(heard.map((entry) => entry.target)).toEqual(plan.entries.map((entry) => entry.target));
    expect(heard.filter((entry) => entry.action !== 'skip').every((entry) => entry.outcome === 'done')).toBe(
      true,
    );
    expect(inspect(heard, { depth: 8 })).not.toContain(PLANTED);
  });

  it('refuses an onEntry that is not a function, before any call', async () => {
    await expect(
      copyEnvironment(fixture.admin, { ...SCENARIO_OPTIONS, onEntry: 'progress' as never }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', field: 'onEntry' });
  });

  it('audits reads as reads and writes as changes', async () => {
    await seedScenario(fixture.admin);
    const { client, events } = recordedClient(fixture.local);

    await copyEnvironment(client, SCENARIO_OPTIONS);

    const changes = events.filter((event) => event.event_type === 'secret_change');
    expect(changes.map((event) => [event.action, event.secret_name])).toEqual([
      ['create', 'staging/billing/config'],
      ['create', 'staging/billing/db'],
      ['create', 'staging/billing/stripe_test_key'],
      ['create', 'staging/billing/webhook'],
      ['put', 'staging/search/api'],
      ['tag', 'staging/search/api'],
      ['tag', 'staging/search/index-key'],
    ]);
    const reads = events
      .filter((event) => event.event_type === 'secret_access')
      .map((event) => event.secret_name);
    expect(reads).toEqual(
      expect.arrayContaining([
        'prod/billing/config',
        'prod/billing/db',
        'prod/search/api',
        'staging/search/api',
      ]),
    );
    // Nothing is read that the plan does not need: the excluded source, the regenerated
    // secret that exists, and a regenerated kind that keeps nothing of its source.
    expect(reads).not.toContain('prod/billing/legacy-token');
    expect(reads).not.toContain('prod/search/signing');
    expect(reads).not.toContain('prod/billing/webhook');
    // The only failures are the DescribeSecret calls that found no target yet.
    const failures = events
      .filter((event) => !event.success)
      .map((event) => [event.action, event.reason, event.secret_name]);
    expect(failures.sort()).toEqual([
      ['describe', 'SECRET_NOT_FOUND', 'staging/billing/config'],
      ['describe', 'SECRET_NOT_FOUND', 'staging/billing/db'],
      ['describe', 'SECRET_NOT_FOUND', 'staging/billing/stripe_test_key'],
      ['describe', 'SECRET_NOT_FOUND', 'staging/billing/webhook'],
    ]);
  });

  describe('never shows a value (RELIABILITY 64)', () => {
    it('in the plan, the result, their JSON or inspect output, the audit trail or the log', async () => {
      await seedScenario(fixture.admin);
      const logs: string[] = [];
      const logger = {
        debug: (message: string, fields?: object) => void logs.push(message, JSON.stringify(fields)),
        info: (message: string, fields?: object) => void logs.push(message, JSON.stringify(fields)),
        warn: (message: string, fields?: object) => void logs.push(message, JSON.stringify(fields)),
        error: (message: string, fields?: object) => void logs.push(message, JSON.stringify(fields)),
      };
      const { client, events } = recordedClient(fixture.local, { logger });

      const plan = await copyEnvironment(client, { ...SCENARIO_OPTIONS, dryRun: true });
      const done = await copyEnvironment(client, SCENARIO_OPTIONS);

      const shown = [
        JSON.stringify(plan),
        JSON.stringify(done),
        inspect(plan, { depth: Infinity, showHidden: true }),
        inspect(done, { depth: Infinity, showHidden: true }),
        JSON.stringify(events),
        logs.join('\n'),
      ].join('\n');
      expect(shown).toContain('staging/billing/stripe_test_key');
      expect(shown).not.toContain(PLANTED);
      expect(shown).not.toContain('staging-own-signing');
    });

    it('in the errors of a plan that fails, their causes included', async () => {
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'cfg',
        kind: 'json',
        value: { k_live_: PLANTED, k_test_: `${PLANTED}-2` },
      });
      await fixture.admin.create({
        environment: 'prod',
        service: 'app',
        name: 'db',
        kind: 'generic',
        value: PLANTED,
      });
      const { client } = recordedClient(fixture.local);

      const crashing = recordedClient(fixture.local);
      crashing.recorder.crash = { after: 0, mode: 'after' };
      const errors = [
        await rejection(
          copyEnvironment(crashing.client, {
            from: 'prod',
            to: 'dev',
            services: ['app'],
            exclude: ['app/cfg'],
          }),
        ),
        await rejection(copyEnvironment(client, { from: 'prod', to: 'dev', transform: [LIVE_TO_TEST] })),
        await rejection(
          copyEnvironment(client, { from: 'prod', to: 'dev', services: ['app'], regenerate: ['app/cfg'] }),
        ),
      ];

      // A write that failed (the crash), a transform and a plan refused.
      expect(errors[0]).toMatchObject({ code: 'SERVICE_ERROR', secretId: 'dev/app/db' });
      expect(errors.slice(1).every((error) => error instanceof ValidationError)).toBe(true);
      for (const error of errors) {
        const shown = [
          JSON.stringify(error),
          inspect(error, { depth: Infinity, showHidden: true }),
          String(error),
        ].join('\n');
        expect(shown).toMatch(/prod\/app\/cfg|dev\/app\/db/);
        expect(shown).not.toContain(PLANTED);
      }
    });
  });
});
