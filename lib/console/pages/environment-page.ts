import type { ReplicaState, SecretListItem } from '../../client';
import { PermissionDeniedError, show } from '../../errors';
import type { ConsoleCore, Reply } from '../console-core';
import { html, query, showDate, type Html } from '../html';
import { rotationHealth, type RotationHealth } from '../rotation-health';
import { page, type PageFrame } from './layout';

/** Secrets whose replicas the table looks up (a DescribeSecret each); past it, the secret page shows them. */
const REPLICA_LOOKUPS = 100;
const LOOKUP_CONCURRENCY = 8;

/** A secret's status as the console names it. */
export function statusOf(secret: Pick<SecretListItem, 'deletionDate' | 'keystage'>): {
  readonly key: 'active' | 'revoked' | 'scheduled-for-deletion';
  readonly label: string;
} {
  if (secret.deletionDate !== undefined) {
    return {
      key: 'scheduled-for-deletion',
      label: `scheduled for deletion (${showDate(secret.deletionDate)})`,
    };
  }
  return secret.keystage.status === 'revoked'
    ? { key: 'revoked', label: 'revoked' }
    : { key: 'active', label: 'active' };
}

/** The environment switcher: only environments the principal may list a secret of. */
export function environmentSwitcher(environments: readonly string[], current: string | undefined): Html {
  return html`<nav class="environments" aria-label="Environments" data-testid="env-switcher">
    ${environments.map(
      (environment) =>
        html`<a
          href="/environments/${encodeURIComponent(environment)}"
          data-testid="env-option"
          data-env="${environment}"
          ${environment === current ? html` aria-current="page"` : ''}
          >${environment}</a
        >`,
    )}
  </nav>`;
}

async function replicasOf(
  core: ConsoleCore,
  secrets: readonly SecretListItem[],
): Promise<Map<string, readonly ReplicaState[]>> {
  const found = new Map<string, readonly ReplicaState[]>();
  const queue = secrets.slice(0, REPLICA_LOOKUPS);
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const name = next.name;
      try {
        found.set(name, (await core.client.describe(name, core.call)).replicas);
      } catch {
        // Deleted or refused since the listing: its cell says to open the secret, whose page shows why.
      }
    }
  };
  await Promise.all(Array.from({ length: LOOKUP_CONCURRENCY }, worker));
  return found;
}

function healthCell(health: RotationHealth): Html {
  const age = health.ageDays === undefined ? '' : `${Math.floor(health.ageDays)} d`;
  const period = health.periodDays === undefined ? '' : ` / ${health.periodDays} d`;
  return html`<td data-testid="secret-health" class="${health.state}">
    ${health.state}${age === '' ? '' : html` (${age}${period})`}
  </td>`;
}

function replicaCell(replicas: readonly ReplicaState[] | undefined): Html {
  if (replicas === undefined) return html`<td data-testid="secret-replicas">see secret</td>`;
  if (replicas.length === 0) return html`<td data-testid="secret-replicas">none</td>`;
  return html`<td data-testid="secret-replicas">
    ${replicas.map((r) => `${r.region} (${r.status ?? 'unknown'})`).join(', ')}
  </td>`;
}

/** GET /environments/<env>: the secrets table of one environment, never a value. */
export async function environmentPage(
  core: ConsoleCore,
  frame: Omit<PageFrame, 'current'>,
  environment: string,
  filter: string | undefined,
): Promise<Reply> {
  const environments = await core.environments();
  if (!environments.includes(environment)) {
    throw new PermissionDeniedError(
      `The environment ${show(environment)} is not one you may see: pick one of ${environments.join(', ') || 'none'}.`,
    );
  }
  const all = await core.secrets(environment);
  const needle = filter?.toLowerCase();
  const secrets =
    needle === undefined
      ? all
      : all.filter((s) =>
          `${s.name} ${s.keystage.kind ?? ''} ${statusOf(s).label}`.toLowerCase().includes(needle),
        );
  const [replicas, records] = await Promise.all([replicasOf(core, secrets), core.auditRecords()]);
  const failed = core.failedRotationNames(records);
  const now = core.clock.now();
  const rows = secrets.map((secret) => {
    const status = statusOf(secret);
    const health = rotationHealth(secret, now, failed.has(secret.name));
    return html`<tr
      data-testid="secret-row"
      data-secret="${secret.name}"
      data-status="${status.key}"
      data-health="${health.state}"
    >
      <td><a data-testid="secret-name" href="/secret${query({ name: secret.name })}">${secret.name}</a></td>
      <td data-testid="secret-kind">${secret.keystage.kind ?? '—'}</td>
      <td data-testid="secret-status" class="${status.key}">${status.label}</td>
      <td data-testid="secret-last-rotated">${showDate(secret.rotation.lastRotatedAt)}</td>
      <td data-testid="secret-next-rotation">
        ${secret.rotation.enabled ? showDate(secret.rotation.nextRotationAt) : 'rotation off'}
      </td>
      ${healthCell(health)} ${replicaCell(replicas.get(secret.name))}
    </tr>`;
  });
  const body = html`<h1>Secrets in ${environment}</h1>
    ${environmentSwitcher(environments, environment)}
    <form method="get" action="/environments/${encodeURIComponent(environment)}" role="search">
      <label for="secrets-filter">Filter by name, kind or status</label>
      <input
        id="secrets-filter"
        type="search"
        name="q"
        value="${filter ?? ''}"
        data-testid="secrets-filter"
        autocomplete="off"
      />
      <button type="submit">Filter</button>
    </form>
    ${
      secrets.length === 0
        ? html`<p data-testid="secrets-empty">
            No secrets${filter === undefined ? '' : html` match ${show(filter)}`}.
          </p>`
        : html`<table data-testid="secrets-table">
            <caption>
              ${secrets.length} of ${all.length} secrets in ${environment}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">Last rotated</th>
                <th scope="col">Next rotation</th>
                <th scope="col">Rotation health</th>
                <th scope="col">Replicas</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`
    }`;
  return {
    kind: 'html',
    status: 200,
    body: page({ ...frame, current: 'secrets' }, `Secrets in ${environment}`, body),
  };
}
