export { EnvelopeEncryption, MAX_ENVELOPE_PLAINTEXT_BYTES } from './envelope';
export type {
  EnvelopeDecryptOptions,
  EnvelopeEncryptOptions,
  EnvelopeEncryptionOptions,
  EnvelopeStats,
} from './envelope';
export { MAX_BYTES_PER_DATA_KEY, MAX_MESSAGES_PER_DATA_KEY } from './envelope-cache';
export type { CacheCounts, DataKeyCacheOptions } from './envelope-cache';
export {
  RESERVED_CONTEXT_PREFIX,
  SECRET_CONTEXT_KEYS,
  secretContext,
  validateEncryptionContext,
} from './encryption-context';
export type { EncryptionContext } from './encryption-context';
export type { KmsCallCounts } from './kms-calls';
export { SecretSplit, combineShares, splitSecret } from './shamir';
export type { SplitOptions } from './shamir';
export { ShareDecodeError } from './share-errors';
export type { ShareDecodeErrorOptions, ShareProblem } from './share-errors';
