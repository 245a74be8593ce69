import { ValidationError, show } from '../../errors';
import {
  rotationFinding,
  rotationPeriods,
  type ComplianceSecret,
  type RotationFinding,
  type RotationPeriodOptions,
} from './rotation-findings';
import { eventTime } from './audit-record';
import { DEFAULT_MAX_ROWS, type ReportOptions } from './access-report';
import { inPeriod, reportPeriod, validateCount, validatePeriod, type ReportPeriod } from './period';
import type { AuditRecordSource } from './record-stream';
import {
  BoundedMap,
  addToSpan,
  compareNullable,
  iso,
  isReadRequest,
  keyOf,
  newSpan,
  secretNameOf,
  type Span,
} from './tally';

export interface ComplianceReportOptions extends ReportOptions, RotationPeriodOptions {
  /**
   * The secrets to check, with their kinds, last rotation and status (from `SecretsClient.list()`).
   * Rotation is checked as of `to`.
   */
  readonly secrets: Iterable<ComplianceSecret> | AsyncIterable<ComplianceSecret>;
}

/** A revoked secret that was still asked for. */
export interface RevokedRequestedFinding {
  readonly finding: 'revoked-still-requested';
  readonly secret: string;
  readonly revokedAt: string | null;
  /** Read requests (served, failed, denied or throttled) in the period, after the revocation when its time is known. */
  readonly requests: number;
  /** Distinct principals among them (null principals not counted). */
  readonly principals: number;
  readonly firstAt: string;
  readonly lastAt: string;
}

/** Reads of a secret that named no principal, by service. */
export interface AnonymousReadFinding {
  readonly finding: 'read-without-principal';
  readonly secret: string | null;
  readonly service: string | null;
  readonly count: number;
  readonly firstAt: string;
  readonly lastAt: string;
}

export type ComplianceFinding = RotationFinding | RevokedRequestedFinding | AnonymousReadFinding;

export interface ComplianceReport {
  readonly kind: 'compliance';
  readonly period: ReportPeriod;
  /** Rotation findings (most overdue first), then revoked secrets asked for, then reads without a principal. */
  readonly rows: readonly ComplianceFinding[];
  /** How many secrets were checked. */
  readonly secretsChecked: number;
  /** Events in groups past maxRows, not listed. */
  readonly omitted: number;
  readonly truncated: boolean;
}

function validSecret(secret: ComplianceSecret): string {
  if (typeof secret?.name !== 'string' || secret.name === '') {
    throw new ValidationError('secrets', `every secret needs a name; got ${show(secret?.name)}.`);
  }
  return secret.name;
}

interface Revocation {
  /** ms; undefined when the time is not known. */
  readonly at: number | undefined;
  readonly revokedAt: string | null;
}

interface RequestTally extends Span {
  readonly secret: string;
  readonly revokedAt: string | null;
  readonly principals: BoundedMap<string, true>;
}

interface AnonymousTally extends Span {
  readonly secret: string | null;
  readonly service: string | null;
}

const ORDER: readonly ComplianceFinding['finding'][] = [
  'rotation-overdue',
  'never-rotated',
  'revoked-still-requested',
  'read-without-principal',
];

function byFinding(a: ComplianceFinding, b: ComplianceFinding): number {
  const order = ORDER.indexOf(a.finding) - ORDER.indexOf(b.finding);
  if (order !== 0) return order;
  if ('daysOverdue' in a && 'daysOverdue' in b) {
    return (b.daysOverdue ?? Infinity) - (a.daysOverdue ?? Infinity) || compareNullable(a.secret, b.secret);
  }
  const count = (finding: ComplianceFinding): number =>
    'requests' in finding ? finding.requests : 'count' in finding ? finding.count : 0;
  return count(b) - count(a) || compareNullable(a.secret, b.secret);
}

/**
 * Compliance over `[from, to)`: secrets past their rotation period or never rotated (as of
 * `to`, from the `secrets` given; revoked secrets are not held to rotation), revoked
 * secrets still being requested (revoked in `secrets`, or whose reads failed with
 * SECRET_REVOKED), and reads without a principal. The events are read in one streaming pass.
 * @throws ValidationError when an option or a secret is invalid; whatever the sources throw.
 * @example
 * const secrets = [];
 * for await (const item of await client.list({ environment: 'prod' })) secrets.push(item);
 * const compliance = await complianceReport(events, { from, to, secrets });
 */
export async function complianceReport(
  events: AuditRecordSource,
  options: ComplianceReportOptions,
): Promise<ComplianceReport> {
  const period = validatePeriod(options.from, options.to);
  const maxRows = validateCount(options.maxRows, 'maxRows', DEFAULT_MAX_ROWS);
  const periodOf = rotationPeriods(options);
  if (options.secrets === undefined || options.secrets === null) {
    throw new ValidationError(
      'secrets',
      'secrets must list the secrets to check (SecretsClient.list() items).',
    );
  }

  const rotation: RotationFinding[] = [];
  const revoked = new Map<string, Revocation>();
  let secretsChecked = 0;
  for await (const secret of options.secrets) {
    const name = secretNameOf(validSecret(secret)) ?? secret.name;
    secretsChecked += 1;
    if (secret.keystage?.status === 'revoked') {
      const at = secret.keystage.revokedAt === undefined ? Number.NaN : eventTime(secret.keystage.revokedAt);
      revoked.set(name, {
        at: Number.isFinite(at) ? at : undefined,
        revokedAt: Number.isFinite(at) ? iso(at) : null,
      });
      continue;
    }
    const finding = rotationFinding(secret, periodOf(secret.keystage?.kind), period.to);
    if (finding !== undefined) rotation.push(finding);
  }

  const requests = new BoundedMap<string, RequestTally>(maxRows);
  const anonymous = new BoundedMap<string, AnonymousTally>(maxRows);
  let omitted = 0;
  for await (const record of events) {
    const time = eventTime(record.timestamp);
    if (!inPeriod(period, time) || !isReadRequest(record)) continue;
    const secret = secretNameOf(record.secret_name);
    if (secret !== null) {
      const known = revoked.get(secret);
      const failedRevoked = record.success === false && record.reason === 'SECRET_REVOKED';
      if ((known !== undefined && (known.at === undefined || time >= known.at)) || failedRevoked) {
        const tally = requests.entry(secret, () => ({
          secret,
          revokedAt: known?.revokedAt ?? null,
          principals: new BoundedMap<string, true>(maxRows),
          ...newSpan(),
        }));
        if (tally === undefined) omitted += 1;
        else {
          addToSpan(tally, time);
          if (record.user_id !== null) tally.principals.entry(record.user_id, () => true);
        }
      }
    }
    if (record.event_type === 'secret_access' && record.user_id === null) {
      const tally = anonymous.entry(keyOf(secret, record.service), () => ({
        secret,
        service: record.service,
        ...newSpan(),
      }));
      if (tally === undefined) omitted += 1;
      else addToSpan(tally, time);
    }
  }

  const rows: ComplianceFinding[] = [
    ...rotation,
    ...[...requests.values()].map((tally): RevokedRequestedFinding => ({
      finding: 'revoked-still-requested',
      secret: tally.secret,
      revokedAt: tally.revokedAt,
      requests: tally.count,
      principals: tally.principals.size,
      firstAt: iso(tally.first),
      lastAt: iso(tally.last),
    })),
    ...[...anonymous.values()].map((tally): AnonymousReadFinding => ({
      finding: 'read-without-principal',
      secret: tally.secret,
      service: tally.service,
      count: tally.count,
      firstAt: iso(tally.first),
      lastAt: iso(tally.last),
    })),
  ].sort(byFinding);
  return {
    kind: 'compliance',
    period: reportPeriod(period),
    rows,
    secretsChecked,
    omitted,
    truncated:
      requests.full || anonymous.full || [...requests.values()].some((tally) => tally.principals.full),
  };
}
