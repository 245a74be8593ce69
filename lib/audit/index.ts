export type { AuditAction, AuditEvent, AuditSink } from './audit-event';
