/**
 * The forms a secret id takes. Callers name a secret by its name, its full ARN, or its
 * partial ARN (the full ARN without the `-` and six random characters Secrets Manager
 * appends to the name); the service answers with the name and the full ARN. This file is
 * the one place that knows how those forms relate.
 */

/** A Secrets Manager secret ARN, full or partial. */
export const SECRET_ARN_PATTERN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/** The suffix Secrets Manager appends to a secret's name in its ARN: `-` and six characters. */
const ARN_SUFFIX = /-[A-Za-z0-9]{6}$/;

/**
 * True when `id` is an ARN (of any service; {@link SECRET_ARN_PATTERN} says whether it is a
 * secret's).
 * @example
 * isArn('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf'); // true
 */
export function isArn(id: string): boolean {
  return id.startsWith('arn:');
}

/**
 * A full secret ARN without its random suffix, or undefined when `arn` is not a full
 * secret ARN.
 * @example
 * partialArn('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf');
 * // 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db'
 */
export function partialArn(arn: string): string | undefined {
  return SECRET_ARN_PATTERN.test(arn) && ARN_SUFFIX.test(arn) ? arn.slice(0, -7) : undefined;
}

/**
 * True when `id`, as a caller passed it (name, full ARN or partial ARN), names the secret
 * the service described with `name` and `arn`.
 * @example
 * namesSecret('prod/db', 'prod/db', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf'); // true
 */
export function namesSecret(id: string, name: string | undefined, arn: string | undefined): boolean {
  if (id === name || id === arn) return true;
  return arn !== undefined && isArn(id) && partialArn(arn) === id;
}
