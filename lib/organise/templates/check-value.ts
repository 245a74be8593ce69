import { checkFormat, inCharset, type CheckContext } from './formats';
import { JSON_KINDS } from './resolve-template';
import type { FieldRules, StringRules, Template, TemplateSecret, ValueRules } from './template';

/** `"a"`, `"a" or "b"`, `"a", "b" or "c"`. */
function either(options: readonly string[]): string {
  const quoted = options.map((option) => JSON.stringify(option));
  return quoted.length === 1 ? quoted[0]! : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** The prefix rule's verdict: the prefix found, or why none fits. */
function checkPrefix(
  value: string,
  rules: StringRules,
  context: CheckContext,
):
  | { readonly prefix: string; readonly reason?: undefined }
  | { readonly prefix?: undefined; readonly reason: string } {
  const { prefix } = rules;
  if (prefix === undefined) return { prefix: '' };
  const expected = Array.isArray(prefix)
    ? (prefix as readonly string[])
    : context.production
      ? (prefix as { production: readonly string[] }).production
      : (prefix as { other: readonly string[] }).other;
  const found = expected.find((candidate) => value.startsWith(candidate));
  if (found !== undefined) return { prefix: found };
  if (!Array.isArray(prefix)) {
    const byEnvironment = prefix as { production: readonly string[]; other: readonly string[] };
    const wrong = (context.production ? byEnvironment.other : byEnvironment.production).find((candidate) =>
      value.startsWith(candidate),
    );
    if (wrong !== undefined) {
      return {
        reason: context.production
          ? `has the non-production prefix ${JSON.stringify(wrong)} in production environment ` +
            `${JSON.stringify(context.environment)}, which takes ${either(expected)}`
          : `has the production prefix ${JSON.stringify(wrong)} in non-production environment ` +
            `${JSON.stringify(context.environment)}, which takes ${either(expected)}`,
      };
    }
  }
  return { reason: `does not start with ${either(expected)}` };
}

function checkLength(value: string, length: StringRules['length']): string | undefined {
  if (length === undefined) return undefined;
  const { min, max } = typeof length === 'number' ? { min: length, max: length } : length;
  const actual = [...value].length;
  if (min !== undefined && min === max && actual !== min)
    return `is ${actual} characters long; expected ${min}`;
  if (min !== undefined && actual < min) return `is ${actual} characters long; expected at least ${min}`;
  if (max !== undefined && actual > max) return `is ${actual} characters long; expected at most ${max}`;
  return undefined;
}

/**
 * Why a string breaks `rules`, in phrases about the value that never quote it (only the
 * rules' own prefixes, lengths and names appear); empty when it keeps them all.
 */
export function checkString(value: string, rules: StringRules, context: CheckContext): string[] {
  const reasons: string[] = [];
  const start = checkPrefix(value, rules, context);
  if (start.reason !== undefined) reasons.push(start.reason);
  const end = rules.suffix === undefined ? '' : rules.suffix.find((suffix) => value.endsWith(suffix));
  if (end === undefined) reasons.push(`does not end with ${either(rules.suffix!)}`);
  const length = checkLength(value, rules.length);
  if (length !== undefined) reasons.push(length);
  // The body is only meaningful between a prefix and a suffix that matched.
  if (rules.charset !== undefined && start.prefix !== undefined && end !== undefined) {
    const body = value.slice(start.prefix.length, value.length - end.length);
    if (!inCharset(body, rules.charset)) {
      reasons.push(
        `${start.prefix === '' && end === '' ? 'has' : 'has, besides its prefix and suffix,'} characters outside ${rules.charset}`,
      );
    }
  }
  if (rules.format !== undefined) reasons.push(...checkFormat(value, rules.format, context, rules.claims));
  return reasons;
}

function checkField(name: string, value: unknown, rules: FieldRules, context: CheckContext): string[] {
  const label = `field ${JSON.stringify(name)}`;
  if (value === undefined || value === null) return rules.required === false ? [] : [`${label} is missing`];
  const type = rules.type ?? 'string';
  if (typeof value !== type) return [`${label} is not a ${type}`];
  if (rules.equals !== undefined && value !== rules.equals) {
    // `equals` holds a fixed, non-secret value such as "service_account": it may be named.
    return [`${label} is not ${JSON.stringify(rules.equals)}`];
  }
  if (type !== 'string') return [];
  return checkString(value as string, rules, context).map((reason) => `${label} ${reason}`);
}

function parseObject(value: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a secret's value (as stored: a string, JSON text for JSON kinds) breaks the
 * template's rules for `secret` in `context`; empty when it keeps them. Reasons never
 * contain the value or any part of it.
 */
export function checkSecretValue(secret: TemplateSecret, value: string, context: CheckContext): string[] {
  if (value.length === 0) return ['is empty'];
  const { rules } = secret;
  if (JSON_KINDS.includes(secret.kind)) {
    const object = parseObject(value);
    if (object === undefined) return ['is not a JSON object'];
    return Object.entries(rules.fields ?? {}).flatMap(([name, field]) =>
      checkField(name, object[name], field, context),
    );
  }
  if (value.trim() !== value) return ['has leading or trailing whitespace (a paste error?)'];
  if (rules.anyOf === undefined) return checkString(value, rules, context);
  const attempts = rules.anyOf.map((form) => checkString(value, form, context));
  if (attempts.some((reasons) => reasons.length === 0)) return [];
  return [
    `matches none of its forms: ${attempts
      .map((reasons, i) => `${rules.anyOf![i]!.label ?? `form ${i + 1}`} (${reasons.join(', ')})`)
      .join('; ')}`,
  ];
}

/** Rules that recognise a value (a prefix, a suffix, a format), not just bound its length. */
function distinctive(rules: ValueRules | StringRules): boolean {
  if ('anyOf' in rules && rules.anyOf !== undefined) return rules.anyOf.every(distinctive);
  return (
    rules.prefix !== undefined ||
    rules.suffix !== undefined ||
    rules.format !== undefined ||
    (rules as ValueRules).fields !== undefined
  );
}

/**
 * `checkSecretValue`, and for a public secret whose value fails, whether the value passes a
 * server-only secret of the same template instead: the one mistake that ships a server key
 * to browsers, so it is named.
 */
export function checkTemplateValue(
  template: Template,
  secret: TemplateSecret,
  value: string,
  context: CheckContext,
): string[] {
  const reasons = checkSecretValue(secret, value, context);
  if (reasons.length === 0 || secret.exposure !== 'public') return reasons;
  const serverLookalike = template.secrets.find(
    (other) =>
      other.exposure === 'server' &&
      other.kind === secret.kind &&
      distinctive(other.rules) &&
      checkSecretValue(other, value, context).length === 0,
  );
  if (serverLookalike === undefined) return reasons;
  return [
    `looks like ${JSON.stringify(serverLookalike.name)}, a server-only secret, in a public slot: ` +
      'never expose it to browsers',
    ...reasons,
  ];
}
