import type { SecretSummary, SecretVersion, VersionDiff } from '../../client';
import type { ConsoleCore, Reply } from '../console-core';
import { html, query, showDate, type Html } from '../html';
import type { RotationProgress } from '../rotation-progress';
import { environmentSwitcher, statusOf } from './environment-page';
import { actions, versionOptions } from './secret-actions';
import { page, type PageFrame } from './layout';

/** What the secret page shows besides the secret itself. */
export interface SecretPageExtras {
  readonly diff?: VersionDiff | undefined;
  readonly rotation?: { readonly versionId: string; readonly progress: RotationProgress } | undefined;
}

function timeline(versions: readonly SecretVersion[]): Html {
  return html`<ol class="timeline" data-testid="versions-timeline">
    ${versions.map(
      (version) =>
        html`<li data-testid="version-item" data-version-id="${version.versionId}">
          <code>${version.versionId}</code> · created ${showDate(version.createdAt)}
          ${version.stages.map((stage) => html`<span class="stage" data-testid="version-stage">${stage}</span>`)}
        </li>`,
    )}
  </ol>`;
}

/** The version id a diff side names: a version id as it is, a staging label by the version holding it. */
function pick(versions: readonly SecretVersion[], named: string | undefined): string | undefined {
  if (named === undefined) return undefined;
  return (versions.find((v) => v.versionId === named) ?? versions.find((v) => v.stages.includes(named)))
    ?.versionId;
}

function keyList(testId: string, title: string, keys: readonly string[]): Html {
  return html`<h3>${title} (${keys.length})</h3>
    <ul data-testid="${testId}">
      ${keys.map((key) => html`<li data-testid="diff-key"><code>${key}</code></li>`)}
    </ul>`;
}

function diffResult(diff: VersionDiff): Html {
  const sides = html`<p>
    From <code>${diff.from.versionId}</code> (${diff.from.stages.join(' ') || 'no stage'}) to
    <code>${diff.to.versionId}</code> (${diff.to.stages.join(' ') || 'no stage'}).
  </p>`;
  if (diff.format === 'json') {
    const { added, removed, changed, unchanged } = diff.keys;
    return html`<div data-testid="diff-result">
      ${sides}
      <p data-testid="diff-summary">
        ${added.length} added, ${removed.length} removed, ${changed.length} changed, ${unchanged} unchanged.
      </p>
      ${keyList('diff-added', 'Added', added)}${keyList('diff-removed', 'Removed', removed)}${keyList('diff-changed', 'Changed', changed)}
    </div>`;
  }
  const summary = diff.changed
    ? `The values differ (${diff.from.format}, ${diff.from.length} bytes → ${diff.to.format}, ${diff.to.length} bytes).`
    : `The values are the same (${diff.to.length} bytes).`;
  return html`<div data-testid="diff-result">
    ${sides}
    <p data-testid="diff-summary">${summary}</p>
  </div>`;
}

function rotationPanel(name: string, versionId: string, progress: RotationProgress): Html {
  return html`<section aria-labelledby="rotation-heading">
    <h2 id="rotation-heading">Rotation</h2>
    <div
      data-testid="rotation-progress"
      data-state="${progress.state}"
      data-poll-url="/api/rotation${query({ name, version: versionId })}"
    >
      <ol class="steps">
        ${progress.steps.map(
          (step) =>
            html`<li data-testid="rotation-step" data-step="${step.step}" data-state="${step.state}">
              ${step.step}: <span class="step-state">${step.state}</span>
            </li>`,
        )}
      </ol>
      <p data-testid="rotation-status" role="status" aria-live="polite">${progress.message}</p>
    </div>
  </section>`;
}

function revealSection(core: ConsoleCore, secret: SecretSummary): Html {
  if (!core.can('read', secret.name)) return html`<p>Your roles do not allow reading the value.</p>`;
  return html`<button type="button" data-testid="reveal-button" data-secret="${secret.name}">
      Reveal current value
    </button>
    <p class="error" role="alert" data-testid="reveal-error" hidden></p>
    <div data-testid="reveal-box" data-hide-after-ms="${core.revealHideMs}" hidden>
      <code class="value" data-testid="reveal-value"></code>
      <p>
        Hidden again after ${Math.round(core.revealHideMs / 1000)} s. Reading it was recorded in the audit
        trail.
      </p>
      <button type="button" data-testid="reveal-copy">Copy</button>
      <button type="button" data-testid="reveal-hide">Hide</button>
      <span data-testid="reveal-copied" role="status" hidden>Copied.</span>
    </div>`;
}

/** GET /secret?name=: everything about one secret but its value, which a click reveals. */
export async function secretPage(
  core: ConsoleCore,
  frame: Omit<PageFrame, 'current'>,
  secret: SecretSummary,
  extras: SecretPageExtras,
  selected: { readonly from?: string | undefined; readonly to?: string | undefined },
): Promise<Reply> {
  const environments = await core.environments();
  const status = statusOf(secret);
  const current = secret.versions.find((v) => v.stages.includes('AWSCURRENT'))?.versionId;
  const previous = secret.versions.find((v) => v.stages.includes('AWSPREVIOUS'))?.versionId;
  const body = html`${environmentSwitcher(environments, secret.keystage.environment)}
    <h1 data-testid="secret-title">${secret.name}</h1>
    <p>
      Status: <strong data-testid="secret-status" class="${status.key}">${status.label}</strong>${
        secret.keystage.revokedReason === undefined ? '' : html` (${secret.keystage.revokedReason})`
      }
      · kind ${secret.keystage.kind ?? '—'} · last changed ${showDate(secret.lastChangedAt)} · rotation
      ${
        secret.rotation.enabled
          ? secret.rotation.automaticallyAfterDays === undefined
            ? 'on, no schedule (rotated on demand)'
            : html`every ${secret.rotation.automaticallyAfterDays} days, next
              ${showDate(secret.rotation.nextRotationAt)}`
          : 'off'
      }
      · replicas ${secret.replicas.map((r) => `${r.region} (${r.status ?? 'unknown'})`).join(', ') || 'none'}
    </p>
    ${extras.rotation === undefined ? '' : rotationPanel(secret.name, extras.rotation.versionId, extras.rotation.progress)}
    <section aria-labelledby="value-heading">
      <h2 id="value-heading">Value</h2>
      ${revealSection(core, secret)}
    </section>
    <section aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions</h2>
      ${timeline(secret.versions)}
    </section>
    <section aria-labelledby="diff-heading">
      <h2 id="diff-heading">Compare two versions</h2>
      ${
        core.can('read', secret.name)
          ? html`<form method="get" action="/secret" data-testid="diff-form" class="filters">
                <input type="hidden" name="name" value="${secret.name}" />
                <label
                  >From
                  <select name="from" data-testid="diff-from">
                    ${versionOptions(secret.versions, pick(secret.versions, selected.from) ?? previous)}
                  </select></label
                >
                <label
                  >To
                  <select name="to" data-testid="diff-to">
                    ${versionOptions(secret.versions, pick(secret.versions, selected.to) ?? current)}
                  </select></label
                >
                <button type="submit" data-testid="diff-submit">Compare</button>
              </form>
              ${extras.diff === undefined ? '' : diffResult(extras.diff)}`
          : html`<p>Your roles do not allow comparing values.</p>`
      }
    </section>
    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">Actions</h2>
      ${actions(core, frame, secret)}
    </section>
    <p><a href="/audit${query({ secret: secret.name })}">Audit trail and usage of this secret</a></p>`;
  return { kind: 'html', status: 200, body: page({ ...frame, current: 'secrets' }, secret.name, body) };
}
