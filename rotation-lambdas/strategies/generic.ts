// Through the lib/generate barrel, as every import of lib. Its DataKey needs the KMS client; the
// bundler drops it from rotation bundles (scripts/bundle-rotation-lambdas.mjs marks lib pure).
import {
  generateApiKey,
  generatePassword,
  generateSymmetricKey,
  type ApiKeyOptions,
  type PasswordPolicy,
} from '../../lib/generate';
import { genericSettingsFromEnv, RotationConfigError, type Environment } from '../config';
import { GENERIC_KINDS, type GenericKind } from '../environment';
import { RotationFailure } from '../errors';
import type { RotationStrategy, RotationValues, StepContext } from '../protocol';

export type { GenericKind };

export interface GenericStrategyOptions {
  /** What to generate. A symmetric key is stored as base64 (32 random bytes). */
  readonly kind: GenericKind;
  /**
   * Rotate one field of a JSON object secret, keeping the other fields.
   * @default - the whole secret string is the value
   */
  readonly jsonField?: string;
  /** @default keystage's default password policy */
  readonly password?: PasswordPolicy;
  /** @default keystage's default API key options */
  readonly apiKey?: ApiKeyOptions;
  /**
   * Makes the new value work where it is used (register the new API key with a provider,
   * say); runs in setSecret and may run again after a crash.
   * @default - nothing to do: consumers read the secret
   */
  readonly apply?: (value: string, context: StepContext) => Promise<void>;
  /**
   * Proves the new value works; runs in testSecret. Throw to stop the rotation before
   * AWSCURRENT moves.
   * @default - checks that the pending value is well formed
   */
  readonly test?: (value: string, context: StepContext) => Promise<void>;
}

function parseObject(text: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RotationFailure('INVALID_SECRET', `The ${what} value is not JSON, but jsonField is set.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RotationFailure(
      'INVALID_SECRET',
      `The ${what} value is not a JSON object, but jsonField is set.`,
    );
  }
  return parsed as Record<string, unknown>;
}

/**
 * Rotates a value nothing else has to learn about first: an API key the service itself
 * verifies, a signing key, a password checked by the secret's consumers. With `jsonField`
 * it rotates one field of a JSON secret.
 * @example
 * export const handler = createRotationHandler(createGenericStrategy({ kind: 'api-key', jsonField: 'key' }));
 */
export function createGenericStrategy(options: GenericStrategyOptions): RotationStrategy {
  if (!GENERIC_KINDS.includes(options.kind)) {
    throw new RotationConfigError(
      'GENERIC_KIND',
      `must be one of ${GENERIC_KINDS.join(', ')}`,
      'genericKind',
    );
  }
  const generate = (): string => {
    if (options.kind === 'api-key') return generateApiKey(options.apiKey);
    if (options.kind === 'symmetric-key') return generateSymmetricKey().toString('base64');
    return generatePassword(options.password);
  };
  const field = options.jsonField;
  const extract = (text: string): string => {
    if (field === undefined) return text;
    const value = parseObject(text, 'pending')[field];
    if (typeof value !== 'string' || value === '') {
      throw new RotationFailure(
        'INVALID_SECRET',
        `The pending value has no string field ${JSON.stringify(field)}.`,
      );
    }
    return value;
  };
  return {
    name: field === undefined ? `generic:${options.kind}` : `generic:${options.kind}:${field}`,
    createValue(current: string): string {
      if (field === undefined) return generate();
      return JSON.stringify({ ...parseObject(current, 'AWSCURRENT'), [field]: generate() });
    },
    async setSecret(values: RotationValues, context: StepContext): Promise<void> {
      const value = extract(values.pending);
      if (options.apply !== undefined) await options.apply(value, context);
    },
    async testSecret(values: RotationValues, context: StepContext): Promise<void> {
      const value = extract(values.pending);
      if (options.test === undefined) return;
      try {
        await options.test(value, context);
      } catch (error) {
        if (error instanceof RotationFailure) throw error;
        throw new RotationFailure(
          'TEST_FAILED',
          `The test hook refused the pending value (${error instanceof Error ? error.name : typeof error}).`,
          { cause: error },
        );
      }
    },
  };
}

/**
 * The generic strategy configured from the function's environment: `GENERIC_KIND`
 * (password | api-key | symmetric-key, default password), `JSON_FIELD`, `API_KEY_PREFIX`,
 * and the password policy variables.
 */
export function genericStrategyFromEnv(env: Environment): RotationStrategy {
  // Read by the rotation environment contract, which the CDK construct renders with.
  const { kind, jsonField, apiKeyPrefix, password } = genericSettingsFromEnv(env);
  return createGenericStrategy({
    kind,
    ...(jsonField === undefined ? {} : { jsonField }),
    password,
    ...(apiKeyPrefix === undefined ? {} : { apiKey: { prefix: apiKeyPrefix } }),
  });
}
