export { exportSecrets } from './export-secrets';
export type {
  ExportFailure,
  ExportOptions,
  ExportOutcome,
  ExportResult,
  ExportSummary,
  ExportVersions,
} from './export-secrets';
export { EXPORT_CONTENT } from './secret-manifest';
export type { SecretManifest } from './secret-manifest';
export type { OutcomeReceiver, TransferReport } from './transfer-report';
