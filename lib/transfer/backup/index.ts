export { createBackup } from './create-backup';
export type { BackupResult } from './create-backup';
export { verifyBackup } from './verify-backup';
export type { BackupVerification } from './verify-backup';
export { restoreBackup } from './restore-backup';
export type {
  BackupOutcome,
  CreateBackupOptions,
  RestoreBackupOptions,
  RestoreOutcome,
  VerifyBackupOptions,
} from './backup-options';
export type { SkipCounts } from './backup-record';
export type { SkipReason, SkippedSecret } from './read-records';
export type {
  RestoreFailure,
  RestoreResult,
  SecretRestoreAction,
  SecretRestoreReport,
  SecretRestoreStatus,
} from './restore-records';
export type { RestoreStep, RestoreStepType } from './restore-step';
export type { ReplicaSettings, RotationSettings } from './backup-record';
