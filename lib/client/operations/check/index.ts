export { test } from './test-secret';
export type { SecretCheck, SecretTestResult, TestOptions } from './check-result';
