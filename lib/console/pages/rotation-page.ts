import type { ConsoleCore, Reply } from '../console-core';
import { html, query } from '../html';
import { byUrgency, rotationHealth } from '../rotation-health';
import { page, type PageFrame } from './layout';

/** GET /rotation: every visible secret's age against its rotation period, failed first. */
export async function rotationPage(core: ConsoleCore, frame: Omit<PageFrame, 'current'>): Promise<Reply> {
  const [secrets, records] = await Promise.all([core.secrets(), core.auditRecords()]);
  const failed = core.failedRotationNames(records);
  const now = core.clock.now();
  const rows = secrets
    .filter((secret) => secret.deletionDate === undefined)
    .map((secret) => ({ secret, health: rotationHealth(secret, now, failed.has(secret.name)) }))
    .sort((a, b) => byUrgency(a.health, b.health) || a.secret.name.localeCompare(b.secret.name));
  const days = (value: number | undefined): string => (value === undefined ? '—' : value.toFixed(1));
  const body = html`<h1>Rotation health</h1>
    <table data-testid="rotation-health-table">
      <caption>
        ${rows.length} secrets: failed rotations first, then overdue, then by age against period
      </caption>
      <thead>
        <tr>
          <th scope="col">Secret</th>
          <th scope="col">Age (days)</th>
          <th scope="col">Period (days)</th>
          <th scope="col">Health</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          ({ secret, health }) =>
            html`<tr data-testid="health-row" data-secret="${secret.name}" data-health="${health.state}">
              <td data-testid="health-secret">
                <a href="/secret${query({ name: secret.name })}">${secret.name}</a>
              </td>
              <td data-testid="health-age">${days(health.ageDays)}</td>
              <td data-testid="health-period">${health.periodDays ?? '—'}</td>
              <td data-testid="health-state" class="${health.state}">${health.state}: ${health.reason}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  return {
    kind: 'html',
    status: 200,
    body: page({ ...frame, current: 'rotation' }, 'Rotation health', body),
  };
}
