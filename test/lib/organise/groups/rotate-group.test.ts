import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../../../../lib/audit/audit-event';
import { SecretsClient } from '../../../../lib/client';
import { SecretNotFoundError, ValidationError } from '../../../../lib/errors';
import { defineGroup, dependsOn, rotateGroup } from '../../../../lib/organise';
import { memberToken } from '../../../../lib/organise/groups/member-plan';
import {
  FLAKY,
  FLAKY_IN_PROCESS,
  GENERIC,
  GENERIC_IN_PROCESS,
  groupFixture,
  labels,
  type GroupFixture,
} from './group-fixture';

// rotateGroup through the local endpoint with the generic rotation function: in child
// processes as Lambda runs it for the two central cases, in process for the rest. A group
// rotates all or nothing: a member whose rotation fails at testSecret sends the members
// rotated before it back to their previous versions.

/** Long enough for a rotation in child processes on a loaded machine. */
const CHILD_TIMEOUT_MS = 5_000;
/**
 * In process a rotation takes milliseconds; a failing member costs this wait, since a
 * failed rotation leaves AWSPENDING on its version as in the service, and only the time
 * limit tells it from one still running.
 */
const TIMEOUT_MS = 1_000;
let f: GroupFixture;
let n = 0;

beforeAll(async () => {
  f = await groupFixture();
});
afterAll(() => f.close());
afterEach(() => f.failing(false));

/**
 * A group of `names`, defined, each with its first version. Members named in `flaky` fail
 * testSecret while `f.failing(true)`. In process unless `childProcesses`.
 */
async function group(names: readonly string[], flaky: readonly string[] = [], childProcesses = false) {
  const id = ++n;
  const members = [];
  for (const name of names) {
    const fails = flaky.includes(name);
    const lambda = childProcesses ? (fails ? FLAKY : GENERIC) : fails ? FLAKY_IN_PROCESS : GENERIC_IN_PROCESS;
    members.push(await f.member(`g${id}-${name}`, lambda));
  }
  const groupName = `group-${id}`;
  await defineGroup(
    f.client(),
    groupName,
    members.map((member) => member.name),
  );
  return { groupName, members };
}

async function labelsOf(
  secrets: SecretsClient,
  member: { name: string; arn: string; versionId: string },
  runId: string,
) {
  return labels(
    await secrets.versions(member.name, { includeDeprecated: true }),
    member.versionId,
    memberToken(runId, member.arn),
  );
}

describe('rotateGroup', () => {
  it('rotates every member, in name order, each to the version its token names', async () => {
    const { groupName, members } = await group(['c', 'a', 'b'], [], true);
    const secrets = f.client();
    const result = await rotateGroup(secrets, groupName, { runId: 'run-1', timeoutMs: CHILD_TIMEOUT_MS });
    expect(result).toMatchObject({ group: groupName, runId: 'run-1', ok: true });
    expect(result.members.map((member) => [member.name.slice(-1), member.outcome])).toEqual([
      ['a', 'rotated'],
      ['b', 'rotated'],
      ['c', 'rotated'],
    ]);
    for (const member of members) {
      expect(await labelsOf(secrets, member, 'run-1')).toEqual({
        initial: ['AWSPREVIOUS'],
        // Secrets Manager may leave AWSPENDING on the new AWSCURRENT version.
        run: ['AWSCURRENT', 'AWSPENDING'],
      });
      const outcome = result.members.find((m) => m.arn === member.arn)!;
      expect(outcome).toMatchObject({
        fromVersionId: member.versionId,
        toVersionId: memberToken('run-1', member.arn),
      });
    }
  });

  it('rolls back the members rotated before a member whose rotation fails at testSecret', async () => {
    const { groupName, members } = await group(['a', 'b', 'c'], ['c'], true);
    f.failing(true);
    const secrets = f.client();
    const before = await Promise.all(members.map((member) => secrets.get(member.name)));
    const heard: Array<[string, string]> = [];
    const result = await rotateGroup(secrets, groupName, {
      runId: 'run-fail',
      timeoutMs: CHILD_TIMEOUT_MS,
      onMember: ({ name, outcome }) => heard.push([name.slice(-1), outcome]),
    });
    expect(result.ok).toBe(false);
    expect(result.members.map((member) => member.outcome)).toEqual(['rolled-back', 'rolled-back', 'failed']);
    // As it happened: a and b rotated, c failed, then the rollback last first.
    expect(heard).toEqual([
      ['a', 'rotated'],
      ['b', 'rotated'],
      ['c', 'failed'],
      ['b', 'rolled-back'],
      ['a', 'rolled-back'],
    ]);
    expect(result.members[2]!.reason).toContain('ROTATION_IN_PROGRESS');
    expect(result.members[0]!.reason).toContain(`AWSCURRENT is back on ${members[0]!.versionId}`);
    // Every value is the one from before the run; the run's versions are left unlabelled or AWSPREVIOUS.
    expect(await Promise.all(members.map((member) => secrets.get(member.name)))).toEqual(before);
    expect(await labelsOf(secrets, members[0]!, 'run-fail')).toEqual({
      initial: ['AWSCURRENT'],
      run: ['AWSPREVIOUS'],
    });
    // The failed member's rotation was given up: AWSPENDING is off its version, so it cannot finish later.
    expect(await labelsOf(secrets, members[2]!, 'run-fail')).toEqual({ initial: ['AWSCURRENT'], run: [] });
    expect(JSON.stringify(result)).not.toContain(before[0]);
  });

  it('rotates a member after those it depends on, and rolls back in reverse', async () => {
    const { groupName, members } = await group(['a', 'b', 'z'], ['a']);
    // a depends on z, so z goes before a; a fails, so those before it are rolled back.
    await dependsOn(f.client(), members[0]!.name, [members[2]!.name]);
    f.failing(true);
    const result = await rotateGroup(f.client(), groupName, { timeoutMs: TIMEOUT_MS });
    // b and z wait on nothing (by name: b first); a waits on z.
    expect(result.members.map((member) => [member.name.slice(-1), member.outcome])).toEqual([
      ['b', 'rolled-back'],
      ['z', 'rolled-back'],
      ['a', 'failed'],
    ]);
  });

  it('leaves a member another writer changed since, reporting rollback-failed', async () => {
    const { groupName, members } = await group(['a', 'b'], ['b']);
    f.failing(true);
    const secrets = f.client();
    // Once a is rotated, someone puts a new version of it.
    const sm = f.local.sm();
    let rotations = 0;
    (sm.middlewareStack as { add: (mw: unknown, opts: unknown) => void }).add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: unknown) => {
          if (context.commandName === 'RotateSecretCommand' && ++rotations === 2) {
            await f.local
              .sm()
              .send(
                new PutSecretValueCommand({ SecretId: members[0]!.name, SecretString: 'by another writer' }),
              );
          }
          return next(args);
        },
      { step: 'initialize', name: 'concurrentWriter' },
    );
    const result = await rotateGroup(new SecretsClient({ secretsManager: sm }), groupName, {
      timeoutMs: TIMEOUT_MS,
    });
    expect(result.members[0]).toMatchObject({
      outcome: 'rollback-failed',
      reason: expect.stringContaining('CONFLICT'),
    });
    expect(await secrets.get(members[0]!.name)).toBe('by another writer');
  });

  it('rotates nothing when a member is not ready (no rotation function)', async () => {
    const { groupName, members } = await group(['a', 'b']);
    const plain = await f
      .client()
      .create({ name: `g${n}-c`, kind: 'generic', environment: 'prod', service: 'groups' });
    await defineGroup(f.client(), groupName, [...members.map((member) => member.name), plain.name]);
    const result = await rotateGroup(f.client(), groupName, { timeoutMs: TIMEOUT_MS });
    expect(result.members.map((member) => member.outcome)).toEqual(['not-started', 'not-started', 'failed']);
    expect(result.members[2]!.reason).toContain('no rotation function');
    expect((await f.client().versions(members[0]!.name)).map((version) => version.versionId)).toEqual([
      members[0]!.versionId,
    ]);
  });

  it('does nothing on a rerun of a run that finished', async () => {
    const { groupName, members } = await group(['a', 'b']);
    await rotateGroup(f.client(), groupName, { runId: 'twice', timeoutMs: TIMEOUT_MS });
    const again = await rotateGroup(f.client(), groupName, { runId: 'twice', timeoutMs: TIMEOUT_MS });
    expect(again.members.map((member) => [member.outcome, member.resumed])).toEqual([
      ['rotated', true],
      ['rotated', true],
    ]);
    expect(await f.client().versions(members[0]!.name, { includeDeprecated: true })).toHaveLength(2);
  });

  it('audits each rotation and rollback through the client, never a value', async () => {
    const { groupName, members } = await group(['a', 'b'], ['b']);
    f.failing(true);
    const events: AuditEntry[] = [];
    const secrets = new SecretsClient({
      secretsManager: f.local.sm(),
      audit: { record: (e) => void events.push(e) },
    });
    const value = await secrets.get(members[0]!.name);
    events.length = 0;
    const result = await rotateGroup(secrets, groupName, { timeoutMs: TIMEOUT_MS });
    const changes = events
      .filter((event) => event.event_type !== 'secret_metadata')
      .map((e) => [e.action, e.secret_name, e.success]);
    // The rollbacks: b's unfinished rotation given up (AWSPENDING), a's AWSCURRENT moved back,
    // then a's rolled-back version cleared of AWSPENDING.
    expect(changes).toEqual([
      ['rotate', members[0]!.arn, true],
      ['rotate', members[1]!.arn, false],
      ['rollback', members[1]!.arn, true],
      ['rollback', members[0]!.arn, true],
      ['rollback', members[0]!.arn, true],
    ]);
    const rollbacks = events.filter((event) => event.action === 'rollback').map((event) => event.details);
    expect(rollbacks).toEqual([
      expect.objectContaining({ stage: 'AWSPENDING', outcome: 'abandoned' }),
      expect.objectContaining({ from_version_id: memberToken(result.runId, members[0]!.arn) }),
      expect.objectContaining({ stage: 'AWSPENDING', outcome: 'abandoned' }),
    ]);
    expect(JSON.stringify(events)).not.toContain(value);
  });

  it('refuses bad arguments before any call', async () => {
    await expect(rotateGroup(f.client(), 'has space')).rejects.toMatchObject({ field: 'name' });
    await expect(rotateGroup(f.client(), 'g', { runId: 'x'.repeat(65) })).rejects.toMatchObject({
      field: 'runId',
    });
    await expect(rotateGroup(f.client(), 'g', { timeoutMs: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(rotateGroup(f.client(), 'g', { onMember: 'tick' as never })).rejects.toMatchObject({
      field: 'onMember',
    });
  });

  it('fails with SECRET_NOT_FOUND for a group without members', async () => {
    await expect(rotateGroup(f.client(), `empty-${randomUUID()}`)).rejects.toBeInstanceOf(
      SecretNotFoundError,
    );
  });
});

describe('memberToken', () => {
  it('is a UUID, the same for the same run and member, different otherwise', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/a-AbCdEf';
    expect(memberToken('r', arn)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(memberToken('r', arn)).toBe(memberToken('r', arn));
    expect(memberToken('s', arn)).not.toBe(memberToken('r', arn));
    expect(memberToken('r', `${arn}x`)).not.toBe(memberToken('r', arn));
  });
});
