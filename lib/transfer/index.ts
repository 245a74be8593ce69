/**
 * keystage/transfer: environment copy, export/import bundles and backup/restore. Everything
 * runs through a `SecretsClient`, so its access policy, rate limits and audit trail apply
 * to every step; every bulk job is idempotent and streams.
 */
export {};
