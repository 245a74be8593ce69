export { ImportRefusedError } from './import-error';
export type { ImportProblem } from './import-error';
export type { ImportOutcome, ImportResult, ImportSummary } from './import-outcomes';
export type { ImportAction } from './plan-log';
export { importSecrets } from './import-secrets';
export type { ImportMap, ImportOptions } from './import-secrets';
