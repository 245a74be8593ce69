import { SecretNotFoundError, ValidationError, show } from '../errors';
import type { ConsoleCore, Reply } from './console-core';
import { query } from './html';
import { secretPage } from './pages/secret-page';
import type { PageFrame } from './pages/layout';
import { optional, required, type Fields } from './request-body';
import { rotationProgress, type RotationProgress } from './rotation-progress';

const VERSION_ID = /^[A-Za-z0-9-]{1,64}$/;

function secretName(value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new ValidationError('name', 'The secret name is missing: open a secret from the secrets table.');
  }
  if (value.length > 512) throw new ValidationError('name', 'The secret name is over 512 characters.');
  return value;
}

function versionId(value: string, field: string): string {
  if (!VERSION_ID.test(value) && !/^AWS[A-Z]+$/.test(value)) {
    throw new ValidationError(field, `${field} ${show(value)} is not a version id or staging label.`);
  }
  return value;
}

/** The progress of a rotation this console started; unknown versions are not found. */
async function progressOf(core: ConsoleCore, name: string, version: string): Promise<RotationProgress> {
  const tracked = core.rotations.get(version);
  if (tracked === undefined || tracked.secret !== name) {
    throw new SecretNotFoundError(
      `No rotation to version ${show(version)} of ${show(name)} was started from this console.`,
    );
  }
  const versions = await core.client.versions(name, { ...core.call, includeDeprecated: true });
  const progress = rotationProgress(versions, version, tracked, core.clock.now());
  if (progress.state === 'failed') core.failedRotations.add(name);
  if (progress.state === 'complete') core.failedRotations.delete(name);
  return progress;
}

/** GET /secret: the secret page, with a diff or a rotation's progress when asked. */
export async function showSecret(
  core: ConsoleCore,
  frame: Omit<PageFrame, 'current'>,
  search: URLSearchParams,
): Promise<Reply> {
  const name = secretName(search.get('name') ?? undefined);
  const from = optional(search, 'from');
  const to = optional(search, 'to');
  const rotation = optional(search, 'rotation');
  const summary = await core.client.describe(name, core.call);
  if ((from === undefined) !== (to === undefined)) {
    throw new ValidationError(from === undefined ? 'from' : 'to', 'A diff needs both from and to versions.');
  }
  const diff =
    from === undefined || to === undefined
      ? undefined
      : await core.client.diff(name, versionId(from, 'from'), versionId(to, 'to'), core.call);
  const progress =
    rotation === undefined
      ? undefined
      : { versionId: rotation, progress: await progressOf(core, name, versionId(rotation, 'rotation')) };
  return secretPage(core, frame, summary, { diff, rotation: progress }, { from, to });
}

/** GET /api/rotation: the progress the page's script polls. */
export async function rotationStatus(core: ConsoleCore, search: URLSearchParams): Promise<Reply> {
  const name = secretName(search.get('name') ?? undefined);
  const version = versionId(required(search, 'version'), 'version');
  return { kind: 'json', status: 200, body: await progressOf(core, name, version) };
}

/** POST /secret/reveal: the current value, read through the client (so it is audited), never cached. */
export async function reveal(core: ConsoleCore, fields: Fields): Promise<Reply> {
  const name = secretName(fields.get('name'));
  const value = await core.client.get(name, core.call);
  return { kind: 'json', status: 200, body: { name, value } };
}

const back = (name: string, flash: string, extra: Record<string, string> = {}): Reply => ({
  kind: 'redirect',
  location: `/secret${query({ name, ...extra })}`,
  flash,
});

function recoveryWindow(fields: Fields): number {
  const given = optional(fields, 'recoveryWindowDays') ?? '30';
  const days = /^\d{1,2}$/.test(given) ? Number(given) : Number.NaN;
  if (!(days >= 7 && days <= 30)) {
    throw new ValidationError(
      'recoveryWindowDays',
      `recoveryWindowDays ${show(given)} must be a whole number from 7 to 30.`,
    );
  }
  return days;
}

/** The writes of the secret page, each one client call for the signed-in principal. */
export const SECRET_ACTIONS: Readonly<Record<string, (core: ConsoleCore, fields: Fields) => Promise<Reply>>> =
  {
    reveal,
    async put(core, fields) {
      const name = secretName(fields.get('name'));
      const version = await core.client.put(name, required(fields, 'value'), core.call);
      return back(name, `Stored version ${version} of ${name}; it is AWSCURRENT.`);
    },
    async rollback(core, fields) {
      const name = secretName(fields.get('name'));
      const target = optional(fields, 'toVersionId');
      const result = await core.client.rollback(name, {
        ...core.call,
        ...(target === undefined ? {} : { toVersionId: versionId(target, 'toVersionId') }),
      });
      return back(
        name,
        `Rolled back ${name}: AWSCURRENT moved from ${result.fromVersionId} to ${result.toVersionId}.`,
      );
    },
    async rotate(core, fields) {
      const name = secretName(fields.get('name'));
      const result = await core.client.rotate(name, core.call);
      core.rotations.set(result.versionId, { secret: name, startedAt: core.clock.now(), seenPending: false });
      return back(name, `Rotation of ${name} started: new version ${result.versionId}.`, {
        rotation: result.versionId,
      });
    },
    async revoke(core, fields) {
      const name = secretName(fields.get('name'));
      await core.client.revoke(name, { ...core.call, reason: required(fields, 'reason') });
      return back(name, `Revoked ${name}: reads are denied until it is restored.`);
    },
    async restore(core, fields) {
      const name = secretName(fields.get('name'));
      await core.client.restore(name, core.call);
      return back(name, `Restored ${name}: reads are allowed again.`);
    },
    async delete(core, fields) {
      const name = secretName(fields.get('name'));
      const result = await core.client.delete(name, {
        ...core.call,
        recoveryWindowDays: recoveryWindow(fields),
      });
      return back(
        name,
        `Scheduled ${name} for deletion on ${result.deletionDate?.toISOString() ?? 'the end of the window'}.`,
      );
    },
    async undelete(core, fields) {
      const name = secretName(fields.get('name'));
      await core.client.undelete(name, core.call);
      return back(name, `Cancelled the deletion of ${name}.`);
    },
  };
