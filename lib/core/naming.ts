import { ValidationError, show } from '../errors';
import { validateSecretName } from './validation';

/**
 * keystage's naming convention, in one place: secrets are named
 * `{environment}/{service}/{name}` and carry tags that say the same, plus their kind and
 * lifecycle status. The library, the CDK constructs and the rotation functions all read
 * these from here.
 */

/** Staging labels Secrets Manager itself uses. */
export type VersionStage = 'AWSCURRENT' | 'AWSPREVIOUS' | 'AWSPENDING' | (string & {});

/** What a secret holds; decides how `create` generates a value when none is given. */
export type SecretKind =
  | 'database'
  | 'api-key'
  | 'symmetric-key'
  | 'data-key'
  | 'generic'
  | 'json'
  | 'certificate'
  | 'encrypted-json'
  | 'oauth-client'
  | 'webhook-secret';

/**
 * Every {@link SecretKind}, in the order the documentation lists them.
 * @example
 * SECRET_KINDS.includes(tags['keystage:type'] as SecretKind);
 */
export const SECRET_KINDS: readonly SecretKind[] = Object.freeze([
  'database',
  'api-key',
  'symmetric-key',
  'data-key',
  'generic',
  'json',
  'certificate',
  'encrypted-json',
  'oauth-client',
  'webhook-secret',
]);

/** keystage's lifecycle status of a secret, kept in the `keystage:status` tag. */
export type SecretStatus = 'active' | 'revoked';

/**
 * Tag keys keystage writes and reads.
 * @example
 * const revoked = summary.tags[KEYSTAGE_TAGS.status] === 'revoked';
 */
export const KEYSTAGE_TAGS = Object.freeze({
  environment: 'keystage:environment',
  service: 'keystage:service',
  type: 'keystage:type',
  status: 'keystage:status',
  revokedAt: 'keystage:revoked-at',
  revokedReason: 'keystage:revoked-reason',
  rotationSuspended: 'keystage:rotation-suspended',
  /** The groups a secret belongs to, space-separated (see keystage/organise `defineGroup`). */
  group: 'keystage:group',
  /** The secrets a secret depends on, by name, space-separated (see keystage/organise `dependsOn`). */
  dependsOn: 'keystage:depends-on',
  /** The template that created the secret (see keystage/organise `applyTemplate`). */
  template: 'keystage:template',
  /** `public` (safe in a browser) or `server` (server-only), as the secret's template says. */
  exposure: 'keystage:exposure',
});

/** The prefix of every tag keystage manages; callers may not set such tags themselves. */
export const KEYSTAGE_TAG_PREFIX = 'keystage:';

/** One segment of a keystage name: an environment or a service. No `/`, so segments never blur. */
const SEGMENT = /^[A-Za-z0-9_.+=@-]{1,64}$/;

/**
 * An environment or service name, checked: 1 to 64 characters of `A-Z a-z 0-9 _ . + = @ -`.
 * @example
 * validateNameSegment('prod', 'environment'); // 'prod'
 */
export function validateNameSegment(value: unknown, field: string): string {
  if (typeof value !== 'string' || !SEGMENT.test(value)) {
    throw new ValidationError(
      field,
      `${field} ${show(value)} must be 1 to 64 characters of A-Z a-z 0-9 _ . + = @ - (no '/').`,
    );
  }
  return value;
}

/** The parts of a keystage secret name; environment and service are optional prefixes. */
export interface SecretNameParts {
  /** @default - no environment segment */
  readonly environment?: string;
  /** @default - no service segment */
  readonly service?: string;
  readonly name: string;
}

/**
 * The full secret name `{environment}/{service}/{name}` (absent parts left out), every part
 * checked.
 * @example
 * secretName({ environment: 'prod', service: 'billing', name: 'db' }); // 'prod/billing/db'
 */
export function secretName(parts: SecretNameParts): string {
  const environment =
    parts.environment === undefined ? undefined : validateNameSegment(parts.environment, 'environment');
  const service = parts.service === undefined ? undefined : validateNameSegment(parts.service, 'service');
  validateSecretName(parts.name);
  return validateSecretName([environment, service, parts.name].filter(Boolean).join('/'), 'name');
}
