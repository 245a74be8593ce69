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
export { createCertificateAuthority, issueCertificate } from './certificate';
export type { CertificateAuthorityOptions, LeafCertificateOptions } from './certificate';
export { createCsr, issueCertificateFromCsr } from './certificate-request';
export type { CertificateRequestOptions, CsrIssueOptions, IssuedCertificate } from './certificate-request';
export { pemCertificates } from './certificate-authority';
export type { CertificateAuthorityKeyPair } from './certificate-authority';
export { CertificateBundle, CertificateRequest, parseCertificateSecret } from './certificate-bundle';
export type { CertificateSecretJson, RedactedCertificateSecretJson } from './certificate-bundle';
export { describeCertificate } from './certificate-description';
export type { CertificateDescription } from './certificate-description';
export { CERTIFICATE_KEY_ALGORITHMS } from './certificate-options';
export type {
  CertificateKeyAlgorithm,
  CertificateNameOptions,
  CertificateValidityOptions,
  ExtendedKeyUsageName,
  SubjectAlternativeNames,
} from './certificate-options';
export { WEBHOOK_SECRET_BYTES, WEBHOOK_SECRET_PREFIX, generateWebhookSecret } from './webhook-secret';
export {
  OAuthClientCredentials,
  checkClientId,
  checkClientSecret,
  checkOAuthClientInput,
  checkRedirectUri,
  generateOAuthClient,
} from './oauth-client';
export type { OAuthClientInput, OAuthClientJson } from './oauth-client';
