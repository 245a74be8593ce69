/** What a parameter holds: text, a comma-separated list, or text encrypted under a KMS key. */
export type ParameterType = 'String' | 'StringList' | 'SecureString';

/** The tier a parameter is stored in (Intelligent-Tiering picks one of these). */
export type ParameterTier = 'Standard' | 'Advanced';

/** One version of a parameter: what PutParameter set, and the labels it carries now. */
export interface ParameterVersion {
  readonly version: number;
  readonly type: ParameterType;
  /** The KMS key of a SecureString, as the request named it (alias/aws/ssm when it named none). */
  readonly keyId?: string;
  readonly description?: string;
  readonly allowedPattern?: string;
  readonly dataType: string;
  readonly tier: ParameterTier;
  readonly modifiedAt: number;
  readonly modifiedBy: string;
  labels: string[];
}

/** A parameter, by `${region}\n${name}`; its values are rows of their own (see ParameterStore). */
export interface ParameterRecord {
  readonly region: string;
  readonly name: string;
  tags: Record<string, string>;
  /** Oldest first; at most {@link MAX_VERSIONS}. The last is the parameter as it stands. */
  versions: ParameterVersion[];
}

/**
 * A version's value as stored: the text of a String or StringList, and for a SecureString the
 * KMS ciphertext (base64), which is also what a read without decryption answers.
 */
export interface StoredParameterValue {
  readonly value: string;
}

/** How many versions a parameter keeps; the oldest goes when a new one is put. */
export const MAX_VERSIONS = 100;
/** The most labels one version carries. */
export const MAX_LABELS_PER_VERSION = 10;
/** The most tags a parameter has. */
export const MAX_TAGS = 50;

export const latest = (record: ParameterRecord): ParameterVersion =>
  record.versions[record.versions.length - 1]!;
