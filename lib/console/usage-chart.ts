import type { AuditRecord } from '../audit/reports';
import { html, type Html } from './html';

const HOUR_MS = 3_600_000;
/** Colour-blind-safe palette (Okabe–Ito), one colour per service in order of volume. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/** Accesses of one secret per UTC hour and service. */
export interface HourlyUsage {
  /** Start of each hour bucket, ms. */
  readonly hours: readonly number[];
  /** Services, most accesses first (null: events naming none, shown as "unknown"). */
  readonly services: readonly string[];
  /** counts[hour][service] */
  readonly counts: ReadonlyArray<ReadonlyArray<number>>;
  readonly total: number;
}

/** Counts `secret_access` events of `secret` per hour and service over `[from, to)`. */
export function hourlyUsage(
  records: Iterable<AuditRecord>,
  secret: string,
  from: number,
  to: number,
): HourlyUsage {
  const first = Math.floor(from / HOUR_MS) * HOUR_MS;
  const hours: number[] = [];
  for (let hour = first; hour < to; hour += HOUR_MS) hours.push(hour);
  const perService = new Map<string, Map<number, number>>();
  let total = 0;
  for (const record of records) {
    if (record.event_type !== 'secret_access' || record.secret_name !== secret) continue;
    const time = Date.parse(record.timestamp);
    if (!(time >= from && time < to)) continue;
    const service = record.service ?? 'unknown';
    const bucket = Math.floor(time / HOUR_MS) * HOUR_MS;
    const counts = perService.get(service) ?? new Map<number, number>();
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
    perService.set(service, counts);
    total += 1;
  }
  const sum = (counts: Map<number, number>): number => [...counts.values()].reduce((a, b) => a + b, 0);
  const services = [...perService.entries()]
    .sort((a, b) => sum(b[1]) - sum(a[1]) || a[0].localeCompare(b[0]))
    .map(([service]) => service);
  const counts = hours.map((hour) => services.map((service) => perService.get(service)?.get(hour) ?? 0));
  return { hours, services, counts, total };
}

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 40, right: 10, top: 10, bottom: 30 };

/**
 * A stacked bar chart as inline SVG: markup only, so it needs no script, no stylesheet
 * rule and no library, and renders under the console's CSP.
 */
export function usageChart(usage: HourlyUsage, secret: string): Html {
  const max = Math.max(1, ...usage.counts.map((row) => row.reduce((a, b) => a + b, 0)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const barW = plotW / Math.max(1, usage.hours.length);
  const colour = (i: number): string => PALETTE[i % PALETTE.length] ?? '#000000';
  const bars: Html[] = [];
  usage.hours.forEach((hour, h) => {
    let y = PAD.top + plotH;
    usage.services.forEach((service, s) => {
      const count = usage.counts[h]?.[s] ?? 0;
      if (count === 0) return;
      const height = (count / max) * plotH;
      y -= height;
      const start = new Date(hour).toISOString().slice(0, 13);
      bars.push(
        html`<rect
          data-testid="usage-bar"
          data-service="${service}"
          data-hour="${new Date(hour).toISOString()}"
          data-count="${count}"
          x="${(PAD.left + h * barW + 1).toFixed(1)}"
          y="${y.toFixed(1)}"
          width="${Math.max(1, barW - 2).toFixed(1)}"
          height="${height.toFixed(1)}"
          fill="${colour(s)}"
          ><title>${start}:00 UTC, ${service}: ${count}</title></rect
        >`,
      );
    });
  });
  const labels = usage.hours
    .map((hour, h) => ({ hour, h }))
    .filter(({ h }) => h % 4 === 0)
    .map(
      ({ hour, h }) =>
        html`<text x="${(PAD.left + h * barW).toFixed(1)}" y="${HEIGHT - 10}" font-size="11" fill="#333"
          >${new Date(hour).toISOString().slice(11, 13)}:00</text
        >`,
    );
  const titleId = 'usage-chart-title';
  return html`<figure class="chart">
    <svg
      data-testid="usage-chart"
      role="img"
      aria-labelledby="${titleId}"
      viewBox="0 0 ${WIDTH} ${HEIGHT}"
      width="100%"
      xmlns="http://www.w3.org/2000/svg"
    >
      <title id="${titleId}">
        Accesses per hour of ${secret} by service: ${usage.total} in total, at most ${max} in an hour
      </title>
      <line
        x1="${PAD.left}"
        y1="${PAD.top + plotH}"
        x2="${WIDTH - PAD.right}"
        y2="${PAD.top + plotH}"
        stroke="#333"
      />
      <text x="4" y="${PAD.top + 10}" font-size="11" fill="#333">${max}</text>
      <text x="4" y="${PAD.top + plotH}" font-size="11" fill="#333">0</text>
      ${bars}${labels}
    </svg>
    <figcaption>
      <ul data-testid="usage-legend" class="legend">
        ${usage.services.map(
          (service, s) =>
            html`<li>
              <svg width="12" height="12" aria-hidden="true">
                <rect width="12" height="12" fill="${colour(s)}" />
              </svg>
              ${service}
            </li>`,
        )}
      </ul>
    </figcaption>
  </figure>`;
}
