import { TagResourceCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AuditEntry } from '../../../../lib/audit/audit-event';
import { SecretsClient, type AccessEvaluator } from '../../../../lib/client';
import { PermissionDeniedError, SecretNotFoundError, ValidationError } from '../../../../lib/errors';
import { defineGroup, groupMembers, groupOf, removeFromGroup } from '../../../../lib/organise';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';

let local: LocalFixture;
let n = 0;

beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());

/** A client whose SDK commands are recorded by name; `failOn` fails that command's `nth` call. */
function client(options: { policy?: AccessEvaluator; failOn?: { command: string; nth: number } } = {}) {
  const sm: SecretsManagerClient = local.sm();
  const commands: string[] = [];
  const events: AuditEntry[] = [];
  let seen = 0;
  (sm.middlewareStack as { add: (mw: unknown, opts: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        const name = context.commandName ?? '';
        commands.push(name);
        if (options.failOn?.command === name && ++seen === options.failOn.nth) {
          throw Object.assign(new Error('the service is down'), {
            name: 'InternalServiceError',
            $fault: 'server',
          });
        }
        return next(args);
      },
    { step: 'initialize', name: 'record' },
  );
  const secrets = new SecretsClient({
    secretsManager: sm,
    audit: { record: (event) => void events.push(event) },
    ...(options.policy === undefined
      ? {}
      : { policy: options.policy, principal: { id: 'ana', roles: [], service: 'ops', environment: 'prod' } }),
  });
  return { secrets, commands, events, writes: () => commands.filter((c) => /Tag|Untag/.test(c)).length };
}

async function secretsNamed(...names: string[]): Promise<string[]> {
  const { secrets } = client();
  const id = ++n;
  const made: string[] = [];
  for (const name of names) {
    made.push(
      (await secrets.create({ name: `m${id}-${name}`, kind: 'generic', environment: 'prod', service: 'grp' }))
        .name,
    );
  }
  return made;
}

const tagsOf = async (name: string) => (await client().secrets.describe(name)).tags;

describe('defineGroup', () => {
  it('tags each member with keystage:group, and groupMembers and groupOf read it back', async () => {
    const [a, b] = await secretsNamed('a', 'b');
    const { secrets } = client();
    expect(await defineGroup(secrets, 'payments', [b!, a!])).toEqual({
      group: 'payments',
      members: [a, b],
      added: [a, b],
      removed: [],
    });
    expect((await tagsOf(a!))['keystage:group']).toBe('payments');
    expect((await groupMembers(secrets, 'payments')).map((member) => member.name)).toEqual([a, b]);
    expect(await groupOf(secrets, a!)).toEqual(['payments']);
  });

  it('keeps a secret in several groups, as a sorted space-separated list', async () => {
    const [a, b] = await secretsNamed('a', 'b');
    const { secrets } = client();
    await defineGroup(secrets, 'web', [a!]);
    await defineGroup(secrets, 'api.v2', [a!, b!]);
    expect((await tagsOf(a!))['keystage:group']).toBe('api.v2 web');
    expect(await groupOf(secrets, a!)).toEqual(['api.v2', 'web']);
    expect((await groupMembers(secrets, 'web')).map((member) => member.name)).toEqual([a]);
  });

  it('makes the group exactly the secrets given: members not named leave it, their other groups stay', async () => {
    const [a, b, c] = await secretsNamed('a', 'b', 'c');
    const { secrets } = client();
    await defineGroup(secrets, 'ops-1', [a!, b!]);
    await defineGroup(secrets, 'other-1', [b!]);
    expect(await defineGroup(secrets, 'ops-1', [a!, c!])).toMatchObject({ added: [c], removed: [b] });
    expect(await groupOf(secrets, b!)).toEqual(['other-1']);
    expect((await groupMembers(secrets, 'ops-1')).map((member) => member.name)).toEqual([a, c]);
  });

  it('spans environments and services, whatever the scope of the client', async () => {
    const [a] = await secretsNamed('a');
    const other = (
      await client().secrets.create({ name: `m${n}-x`, kind: 'generic', environment: 'dev', service: 'web' })
    ).name;
    const scoped = new SecretsClient({ secretsManager: local.sm(), environment: 'prod', service: 'grp' });
    await defineGroup(scoped, 'wide-1', [a!, other]);
    expect((await groupMembers(scoped, 'wide-1')).map((member) => member.name)).toEqual([other, a].sort());
  });

  it('writes nothing the second time (safe to repeat)', async () => {
    const [a] = await secretsNamed('a');
    await defineGroup(client().secrets, 'again-1', [a!]);
    const second = client();
    expect(await defineGroup(second.secrets, 'again-1', [a!])).toMatchObject({ added: [], removed: [] });
    expect(second.writes()).toBe(0);
  });

  it('takes a name and its ARN as one member', async () => {
    const [a] = await secretsNamed('a');
    const { arn } = await client().secrets.describe(a!);
    expect((await defineGroup(client().secrets, 'dup-1', [a!, arn])).members).toEqual([a]);
  });

  it('refuses a group that would not fit the tag value, before any write', async () => {
    const [a, b] = await secretsNamed('a', 'b');
    // Three groups of 64 characters (194 with the spaces): a fourth makes 259, over 256.
    const groups = ['w', 'x', 'y'].map((letter) => letter.repeat(64));
    await local
      .sm()
      .send(
        new TagResourceCommand({ SecretId: a!, Tags: [{ Key: 'keystage:group', Value: groups.join(' ') }] }),
      );
    const attempt = client();
    const error = await defineGroup(attempt.secrets, 'z'.repeat(64), [b!, a!]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('at most 256');
    expect(attempt.writes()).toBe(0);
    expect((await tagsOf(b!))['keystage:group']).toBeUndefined();
  });

  it('refuses a secret that does not exist, before any write', async () => {
    const [a] = await secretsNamed('a');
    const attempt = client();
    await expect(defineGroup(attempt.secrets, 'g-missing', [a!, 'prod/grp/none'])).rejects.toBeInstanceOf(
      SecretNotFoundError,
    );
    expect(attempt.writes()).toBe(0);
  });

  it('puts the members already tagged back when a later write fails', async () => {
    const [a, b] = await secretsNamed('a', 'b');
    await defineGroup(client().secrets, 'keep-1', [a!]);
    const failing = client({ failOn: { command: 'TagResourceCommand', nth: 2 } });
    await expect(defineGroup(failing.secrets, 'half-1', [a!, b!])).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
    expect((await tagsOf(a!))['keystage:group']).toBe('keep-1');
    expect((await tagsOf(b!))['keystage:group']).toBeUndefined();
  });

  it('is refused as a whole when the access policy refuses one tag change, writing nothing', async () => {
    const [a, b] = await secretsNamed('a', 'b');
    const policy: AccessEvaluator = {
      evaluate: (request) =>
        request.operation === 'manage' && request.secret === b
          ? { allowed: false, rule: 'no-b', reason: 'b is frozen' }
          : { allowed: true, rule: 'all', reason: 'allowed' },
    };
    const governed = client({ policy });
    await expect(defineGroup(governed.secrets, 'gov-1', [a!, b!])).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    expect(governed.writes()).toBe(0);
    expect(governed.events.filter((e) => e.event_type === 'access_denied')).toHaveLength(1);
  });

  it('audits each change as a tag of keystage:group', async () => {
    const [a] = await secretsNamed('a');
    const { secrets, events } = client();
    await defineGroup(secrets, 'audit-1', [a!]);
    expect(events.filter((e) => e.action === 'tag')).toEqual([
      expect.objectContaining({
        event_type: 'secret_change',
        details: expect.objectContaining({ keys: ['keystage:group'] }),
      }),
    ]);
  });

  it.each([
    ['name', () => defineGroup(client().secrets, 'has space', ['x'])],
    ['name', () => defineGroup(client().secrets, '', ['x'])],
    ['secretIds', () => defineGroup(client().secrets, 'g', [])],
    ['secretIds[0]', () => defineGroup(client().secrets, 'g', [''])],
  ])('refuses a bad %s before any call', async (field, call) => {
    await expect(call()).rejects.toMatchObject({ code: 'VALIDATION_ERROR', field });
  });
});

describe('removeFromGroup', () => {
  it('takes secrets out of one group, keeps their others, and removes the tag when none is left', async () => {
    const [a, b] = await secretsNamed('a', 'b');
    const { secrets } = client();
    await defineGroup(secrets, 'rm-1', [a!, b!]);
    await defineGroup(secrets, 'rm-2', [a!]);
    expect(await removeFromGroup(secrets, 'rm-1', [a!, b!])).toEqual([a, b]);
    expect((await tagsOf(a!))['keystage:group']).toBe('rm-2');
    expect(await tagsOf(b!)).not.toHaveProperty(['keystage:group']);
    expect(await removeFromGroup(secrets, 'rm-1', [a!])).toEqual([]);
  });
});
