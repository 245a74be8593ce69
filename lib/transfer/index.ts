/**
 * keystage/transfer: environment copy, export/import bundles and backup/restore. Everything
 * runs through a `SecretsClient`, so its access policy, rate limits and audit trail apply
 * to every step; every bulk job is idempotent and streams.
 */
export { copyEnvironment } from './copy';
export type {
  CopyChange,
  CopyCreate,
  CopyDenial,
  CopyEntry,
  CopyEnvironmentOptions,
  CopyResult,
  CopySkip,
  CopySkipReason,
  CopyTransform,
  CopyUpdate,
  TransformScope,
} from './copy';
export { createBackup, restoreBackup, verifyBackup } from './backup';
export type {
  BackupOutcome,
  BackupResult,
  BackupVerification,
  CreateBackupOptions,
  ReplicaSettings,
  RestoreBackupOptions,
  RestoreFailure,
  RestoreOutcome,
  RestoreResult,
  RestoreStep,
  RestoreStepType,
  RotationSettings,
  SecretRestoreAction,
  SecretRestoreReport,
  SecretRestoreStatus,
  SkipCounts,
  SkipReason,
  SkippedSecret,
  VerifyBackupOptions,
} from './backup';
export {
  BundleAuthenticationError,
  BundledEntry,
  MIN_PASSPHRASE_LENGTH,
  openBundle,
  verifyBundle,
  writeBundle,
} from './bundle';
export type {
  BundleDestination,
  BundleEntry,
  BundleHeader,
  BundleInfo,
  BundleProtection,
  BundleReader,
  BundleRefusal,
  BundleSource,
  BundleSummary,
  BundleValue,
  JsonObject,
  JsonValue,
  KmsBundleProtection,
  OpenBundleOptions,
  PassphraseBundleProtection,
} from './bundle';
export { EXPORT_CONTENT, exportSecrets } from './export';
export type {
  ExportFailure,
  ExportOptions,
  ExportOutcome,
  ExportResult,
  ExportSummary,
  ExportVersions,
  OutcomeReceiver,
  SecretManifest,
  TransferReport,
} from './export';
export { ImportRefusedError, importSecrets } from './import';
export type {
  ImportAction,
  ImportMap,
  ImportOptions,
  ImportOutcome,
  ImportProblem,
  ImportResult,
  ImportSummary,
} from './import';
