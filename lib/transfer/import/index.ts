export { ImportRefusedError } from './import-error';
export type { ImportProblem } from './import-error';
export type { ImportAction } from './import-plan';
export { importSecrets } from './import-secrets';
export type { ImportMap, ImportOptions, ImportOutcome, ImportResult } from './import-secrets';
