export { SecretsClient } from './secrets-client';
export { KEYSTAGE_TAGS } from './types';
export type * from './types';
