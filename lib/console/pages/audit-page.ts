import { auditFilters, matches } from '../audit-filters';
import type { ConsoleCore, Reply } from '../console-core';
import { html, query, type Html } from '../html';
import { DEFAULT_REPORT_DAYS, REPORT_FORMATS, REPORT_KINDS } from '../reports';
import { hourlyUsage, usageChart } from '../usage-chart';
import { page, type PageFrame } from './layout';

/** The most events the stream shows, newest first. */
export const AUDIT_ROWS_SHOWN = 500;
const HOUR_MS = 3_600_000;
const FORMAT_LABELS = { csv: 'CSV', json: 'JSON', md: 'Markdown' } as const;

function textFilter(name: string, label: string, value: string | undefined, type = 'text'): Html {
  return html`<label
    >${label} <input type="${type}" name="${name}" value="${value ?? ''}" data-testid="audit-filter-${name}"
  /></label>`;
}

function isoInput(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** GET /audit: the event stream with filters, the usage chart of a secret, and the reports. */
export async function auditPage(
  core: ConsoleCore,
  frame: Omit<PageFrame, 'current'>,
  search: URLSearchParams,
): Promise<Reply> {
  const filters = auditFilters(search);
  const records = await core.auditRecords();
  const shown = records.filter((record) => matches(record, filters)).reverse();
  const actions = [
    ...new Set(records.map((r) => r.action).filter((a): a is NonNullable<typeof a> => a !== null)),
  ].sort();
  const rows = shown.slice(0, AUDIT_ROWS_SHOWN).map(
    (r) =>
      html`<tr
        data-testid="audit-row"
        data-action="${r.action ?? ''}"
        data-secret="${r.secret_name ?? ''}"
        data-success="${String(r.success)}"
        data-principal="${r.user_id ?? ''}"
      >
        <td data-testid="audit-time">${r.timestamp}</td>
        <td data-testid="audit-principal">
          ${r.user_id ?? '—'}${r.service === null ? '' : html` (${r.service})`}
        </td>
        <td data-testid="audit-action">${r.action ?? r.event_type}</td>
        <td data-testid="audit-secret">${r.secret_name ?? '—'}</td>
        <td data-testid="audit-success" class="${r.success ? '' : 'failed'}">${r.success ? 'yes' : 'no'}</td>
        <td data-testid="audit-reason">${r.reason ?? ''}</td>
      </tr>`,
  );
  let usage: Html = html``;
  if (filters.secret !== undefined) {
    const to = filters.to ?? core.clock.now();
    const from = filters.from ?? to - 24 * HOUR_MS;
    const hourly = hourlyUsage(records, filters.secret, from, to);
    usage = html`<section aria-labelledby="usage-heading">
      <h2 id="usage-heading">Usage of ${filters.secret}</h2>
      <p>
        ${hourly.total} ${hourly.total === 1 ? 'access' : 'accesses'} from ${new Date(from).toISOString()} to
        ${new Date(to).toISOString()}, per hour and service.
      </p>
      ${usageChart(hourly, filters.secret)}
    </section>`;
  }
  const period = query({ from: isoInput(filters.from), to: isoInput(filters.to) });
  const body = html`<h1>Audit</h1>
    ${core.hasAudit ? '' : html`<p class="error" data-testid="error-message">No audit trail was given to the console: start it with an audit log to see events and reports.</p>`}
    <form method="get" action="/audit" data-testid="audit-filters" class="filters">
      ${textFilter('secret', 'Secret', filters.secret)}
      ${textFilter('principal', 'Principal', filters.principal)}
      <label
        >Action
        <select name="action" data-testid="audit-filter-action">
          <option value="">any</option>
          ${actions.map(
            (a) => html`<option value="${a}" ${a === filters.action ? html` selected` : ''}>${a}</option>`,
          )}
        </select></label
      >
      <label
        >Success
        <select name="success" data-testid="audit-filter-success">
          <option value="">any</option>
          <option value="true" ${filters.success === true ? html` selected` : ''}>yes</option>
          <option value="false" ${filters.success === false ? html` selected` : ''}>no</option>
        </select></label
      >
      ${textFilter('from', 'From (UTC)', isoInput(filters.from))}
      ${textFilter('to', 'To (UTC)', isoInput(filters.to))}
      <button type="submit" data-testid="audit-filter-submit">Apply</button>
    </form>
    ${usage}
    <section aria-labelledby="reports-heading">
      <h2 id="reports-heading">Reports</h2>
      <p>Over the filter's period, or the last ${DEFAULT_REPORT_DAYS} days.</p>
      <ul data-testid="report-links">
        ${REPORT_KINDS.map(
          (kind) =>
            html`<li>
              ${kind}:
              ${REPORT_FORMATS.map(
                (format) =>
                  html`<a
                    href="/reports/${kind}.${format}${period}"
                    download
                    data-testid="report-download"
                    data-report="${kind}"
                    data-format="${format}"
                    >${FORMAT_LABELS[format]}</a
                  > `,
              )}
            </li>`,
        )}
      </ul>
    </section>
    <section aria-labelledby="events-heading">
      <h2 id="events-heading">Events</h2>
      ${
        rows.length === 0
          ? html`<p data-testid="audit-empty">No events match.</p>`
          : html`<table data-testid="audit-table">
              <caption>
                ${Math.min(shown.length, AUDIT_ROWS_SHOWN)} of ${shown.length} matching events, newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Principal</th>
                  <th scope="col">Action</th>
                  <th scope="col">Secret</th>
                  <th scope="col">Succeeded</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                ${rows}
              </tbody>
            </table>`
      }
    </section>`;
  return { kind: 'html', status: 200, body: page({ ...frame, current: 'audit' }, 'Audit', body) };
}
