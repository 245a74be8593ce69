import type { AuditRecord } from '../audit/reports';
import { ValidationError, show } from '../errors';

/** The audit screen's filters, checked. */
export interface AuditFilters {
  readonly secret?: string;
  readonly principal?: string;
  readonly action?: string;
  readonly success?: boolean;
  readonly from?: number;
  readonly to?: number;
}

/**
 * A time from a filter: ISO-8601, or what `<input type="datetime-local">` sends
 * (`YYYY-MM-DDTHH:MM`, read as UTC).
 */
export function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const local = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value);
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value);
  const ms = local ? Date.parse(`${value}Z`) : iso ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new ValidationError(field, `${field} ${show(value)} must be a time such as 2026-05-01T09:00Z.`);
  }
  return ms;
}

/** The filters from the query string; a malformed one is a ValidationError naming it. */
export function auditFilters(search: URLSearchParams): AuditFilters {
  const text = (name: string): string | undefined => {
    const value = search.get(name)?.trim();
    if (value === undefined || value === '') return undefined;
    if (value.length > 512) throw new ValidationError(name, `${name} is over 512 characters.`);
    return value;
  };
  const success = text('success');
  if (success !== undefined && success !== 'true' && success !== 'false') {
    throw new ValidationError('success', `success ${show(success)} must be true, false or empty.`);
  }
  const from = parseTime(text('from'), 'from');
  const to = parseTime(text('to'), 'to');
  if (from !== undefined && to !== undefined && from >= to) {
    throw new ValidationError('to', 'to must be after from.');
  }
  const secret = text('secret');
  const principal = text('principal');
  const action = text('action');
  return {
    ...(secret === undefined ? {} : { secret }),
    ...(principal === undefined ? {} : { principal }),
    ...(action === undefined ? {} : { action }),
    ...(success === undefined ? {} : { success: success === 'true' }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  };
}

/** Whether a record passes the filters; `secret` matches a part of the name. */
export function matches(record: AuditRecord, filters: AuditFilters): boolean {
  if (filters.secret !== undefined && !(record.secret_name ?? '').includes(filters.secret)) return false;
  if (filters.principal !== undefined && record.user_id !== filters.principal) return false;
  if (filters.action !== undefined && record.action !== filters.action) return false;
  if (filters.success !== undefined && record.success !== filters.success) return false;
  if (filters.from !== undefined || filters.to !== undefined) {
    const time = Date.parse(record.timestamp);
    if (filters.from !== undefined && time < filters.from) return false;
    if (filters.to !== undefined && time >= filters.to) return false;
  }
  return true;
}
