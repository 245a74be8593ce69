export { randomFromAlphabet, randomIndices, randomString } from './random';
export type { RandomEncoding } from './random';
export {
  PASSWORD_SYMBOLS,
  SAFE_EXCLUDED_CHARACTERS,
  generatePassword,
  resolvePasswordPolicy,
} from './password';
export type { PasswordPolicy, ResolvedPasswordPolicy } from './password';
export {
  API_KEY_PREFIX_PATTERN,
  generateApiKey,
  isWellFormedApiKey,
  parseApiKey,
  verifyApiKey,
} from './api-key';
export type { ApiKeyOptions, ApiKeyParts } from './api-key';
export { generateSymmetricKey } from './symmetric-key';
export { DataKey, generateDataKey } from './data-key';
export type { DataKeyOptions } from './data-key';
export { DEFAULT_PORTS, DatabaseCredentials, generateDatabaseCredentials } from './database-credentials';
export type { DatabaseCredentialsInput, DatabaseEngine, DatabaseSecretJson } from './database-credentials';
