import type { SecretSummary, SecretVersion } from '../../client';
import type { ConsoleCore } from '../console-core';
import { html, type Html } from '../html';
import { statusOf } from './environment-page';
import type { PageFrame } from './layout';

/** The options of a version picker, one per version, labelled by id and stages. */
export function versionOptions(versions: readonly SecretVersion[], selected: string | undefined): Html {
  return html`${versions.map(
    (v) =>
      html`<option value="${v.versionId}" ${v.versionId === selected ? html` selected` : ''}>
        ${v.versionId.slice(0, 8)}… ${v.stages.join(' ')}
      </option>`,
  )}`;
}

function actionForm(
  frame: Omit<PageFrame, 'current'>,
  action: string,
  name: string,
  label: string,
  confirm: string,
  fields: Html = html``,
): Html {
  return html`<form method="post" action="/secret/${action}" data-confirm="${confirm}">
    <input type="hidden" name="csrf" value="${frame.csrfToken}" />
    <input type="hidden" name="name" value="${name}" />
    ${fields}
    <button type="submit" data-testid="action-${action}">${label}</button>
  </form>`;
}

/**
 * The action forms the principal's roles allow on this secret, each with the sentence its
 * confirmation dialog shows; none for what the policy refuses (the server refuses it too).
 */
export function actions(core: ConsoleCore, frame: Omit<PageFrame, 'current'>, secret: SecretSummary): Html {
  const name = secret.name;
  const status = statusOf(secret).key;
  const current = secret.versions.find((v) => v.stages.includes('AWSCURRENT'));
  const previous = secret.versions.find((v) => v.stages.includes('AWSPREVIOUS'));
  const forms: Html[] = [];
  if (status === 'active' && core.can('update', name)) {
    forms.push(
      actionForm(
        frame,
        'put',
        name,
        'Store new version',
        `Store a new version of ${name}. It becomes AWSCURRENT and version ${current?.versionId ?? 'none'} becomes AWSPREVIOUS.`,
        html`<label for="put-value">New value</label
          ><textarea
            id="put-value"
            name="value"
            data-testid="put-value"
            autocomplete="off"
            spellcheck="false"
            required
          ></textarea>`,
      ),
    );
    if (secret.versions.length > 1) {
      forms.push(
        actionForm(
          frame,
          'rollback',
          name,
          'Roll back',
          `Roll back ${name}: AWSCURRENT moves from version ${current?.versionId ?? 'none'} to ${previous === undefined ? 'the version you pick' : `AWSPREVIOUS (${previous.versionId})`}.`,
          html`<label for="rollback-target">To version (default AWSPREVIOUS)</label>
            <select id="rollback-target" name="toVersionId" data-testid="rollback-target">
              <option value="">AWSPREVIOUS</option>
              ${versionOptions(
                secret.versions.filter((v) => v !== current),
                undefined,
              )}
            </select>`,
        ),
      );
    }
  }
  if (status === 'active' && core.can('rotate', name) && secret.rotation.lambdaArn !== undefined) {
    forms.push(
      actionForm(
        frame,
        'rotate',
        name,
        'Rotate now',
        `Rotate ${name} now with ${secret.rotation.lambdaArn}: a new version is created, set, tested and made AWSCURRENT.`,
      ),
    );
  }
  if (core.can('revoke', name)) {
    if (status === 'active') {
      forms.push(
        actionForm(
          frame,
          'revoke',
          name,
          'Revoke',
          `Revoke ${name}: every read is denied by a resource policy, rotation is suspended and the secret is tagged revoked. Restore undoes it.`,
          html`<label for="revoke-reason">Reason</label
            ><input id="revoke-reason" name="reason" data-testid="revoke-reason" required maxlength="256" />`,
        ),
      );
    } else if (status === 'revoked') {
      forms.push(
        actionForm(
          frame,
          'restore',
          name,
          'Restore',
          `Restore ${name}: reads are allowed again and rotation resumes if revocation suspended it.`,
        ),
      );
    }
  }
  if (core.can('delete', name)) {
    if (status === 'scheduled-for-deletion') {
      forms.push(
        actionForm(
          frame,
          'undelete',
          name,
          'Cancel deletion',
          `Cancel the scheduled deletion of ${name}: it stays as it is.`,
        ),
      );
    } else {
      forms.push(
        actionForm(
          frame,
          'delete',
          name,
          'Schedule deletion',
          `Schedule ${name} for deletion: reads fail at once and the secret is deleted for good after the recovery window, unless the deletion is cancelled.`,
          html`<label for="delete-window">Recovery window (7 to 30 days)</label
            ><input
              id="delete-window"
              type="number"
              min="7"
              max="30"
              value="30"
              name="recoveryWindowDays"
              data-testid="delete-window-days"
            />`,
        ),
      );
    }
  }
  if (forms.length === 0) return html`<p>Your roles allow no changes to this secret.</p>`;
  return html`<div class="actions">${forms}</div>
    <dialog data-testid="confirm-dialog" aria-labelledby="confirm-heading">
      <h2 id="confirm-heading">Confirm the change</h2>
      <p data-testid="confirm-message"></p>
      <button type="button" data-testid="confirm-ok">Confirm</button>
      <button type="button" data-testid="confirm-cancel">Cancel</button>
    </dialog>`;
}
