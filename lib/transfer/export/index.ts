export { exportSecrets } from './export-secrets';
export type { ExportFailure, ExportOptions, ExportResult, ExportVersions } from './export-secrets';
export { EXPORT_CONTENT } from './secret-manifest';
export type { SecretManifest } from './secret-manifest';
