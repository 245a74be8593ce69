import type { SecretKind } from '../../core';
import { TemplateError, type TemplateProblem } from './template-error';
import type {
  FieldRules,
  StringRules,
  Template,
  TemplateDefinition,
  TemplateSecret,
  TemplateSecretDefinition,
  ValueRules,
} from './template';

/**
 * The kinds a template may name: those whose stored value keystage can read back and check.
 * Binary and envelope-encrypted kinds cannot be checked, so they are created directly.
 */
export const TEMPLATE_KINDS: readonly SecretKind[] = Object.freeze([
  'generic',
  'api-key',
  'json',
  'database',
  'certificate',
  'oauth-client',
  'webhook-secret',
]);

/** Kinds whose value is a JSON object: checked with `fields`, given as objects or JSON text. */
export const JSON_KINDS: readonly SecretKind[] = Object.freeze([
  'json',
  'database',
  'certificate',
  'oauth-client',
]);

/**
 * Kinds keystage generates for a template: a password (`generic`), a `whsec_` signing secret
 * (`webhook-secret`), the client secret of an `oauth-client` (its id and redirect URI given).
 */
export const GENERATED_KINDS: readonly SecretKind[] = Object.freeze([
  'generic',
  'webhook-secret',
  'oauth-client',
]);

/** Default rotation period of a template's secrets (the product rotates API keys quarterly). */
export const DEFAULT_ROTATION_DAYS = 90;

/** Secrets Manager's longest rotation interval. */
const MAX_ROTATION_DAYS = 1000;
const TEMPLATE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const SECRET_NAME = /^[A-Za-z0-9_.+=@-]{1,128}$/;
const FIELD_NAME = /^[A-Za-z0-9_.$@-]{1,128}$/;
/** Prefixes and suffixes: short, printable and without spaces. */
const AFFIX = /^[\x21-\x7e]{1,64}$/;
const MAX_SECRETS = 40;

/** Collects problems with their paths while a definition is walked. */
class Problems {
  readonly list: TemplateProblem[] = [];
  add(path: string, message: string, secret?: string): void {
    this.list.push({ path, secret, message });
  }
  /** A view that records problems against one secret. */
  for(secret: string | undefined): Pick<Problems, 'add'> {
    return { add: (path, message) => this.add(path, message, secret) };
  }
}

type Problem = Pick<Problems, 'add'>;

const isInteger = (value: unknown, min: number, max: number): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

function checkAffixes(list: readonly string[], path: string, problems: Problem): void {
  if (list.length === 0) problems.add(path, 'must list at least one string');
  list.forEach((affix, i) => {
    if (!AFFIX.test(affix))
      problems.add(`${path}[${i}]`, 'must be 1 to 64 printable characters without spaces');
  });
}

function checkStringRules(rules: StringRules, path: string, problems: Problem): void {
  const { prefix, suffix, length, format, claims } = rules;
  if (prefix !== undefined) {
    if (Array.isArray(prefix)) checkAffixes(prefix as readonly string[], `${path}.prefix`, problems);
    else {
      const byEnvironment = prefix as { production: readonly string[]; other: readonly string[] };
      checkAffixes(byEnvironment.production, `${path}.prefix.production`, problems);
      checkAffixes(byEnvironment.other, `${path}.prefix.other`, problems);
      const shared = byEnvironment.production.filter((p) => byEnvironment.other.includes(p));
      if (shared.length > 0) {
        problems.add(`${path}.prefix`, 'a prefix cannot be both a production and a non-production prefix');
      }
    }
  }
  if (suffix !== undefined) checkAffixes(suffix, `${path}.suffix`, problems);
  if (typeof length === 'number') {
    if (!isInteger(length, 1, 65_536)) problems.add(`${path}.length`, 'must be an integer from 1 to 65536');
  } else if (length !== undefined) {
    const { min, max } = length;
    if (min === undefined && max === undefined) problems.add(`${path}.length`, 'needs min, max or both');
    if (min !== undefined && !isInteger(min, 1, 65_536))
      problems.add(`${path}.length.min`, 'must be an integer from 1 to 65536');
    if (max !== undefined && !isInteger(max, 1, 65_536))
      problems.add(`${path}.length.max`, 'must be an integer from 1 to 65536');
    if (min !== undefined && max !== undefined && min > max)
      problems.add(`${path}.length`, 'min is greater than max');
  }
  if (claims !== undefined && format !== 'jwt') problems.add(`${path}.claims`, "needs format 'jwt'");
  if (rules.label !== undefined && (rules.label.length === 0 || rules.label.length > 64))
    problems.add(`${path}.label`, 'must be 1 to 64 characters');
}

const hasStringRules = (rules: StringRules): boolean =>
  (['prefix', 'suffix', 'length', 'charset', 'format', 'claims'] as const).some(
    (key) => rules[key] !== undefined,
  );

function checkField(
  name: string,
  field: FieldRules,
  path: string,
  problems: Problem,
  publicSecret: boolean,
): void {
  if (!FIELD_NAME.test(name))
    problems.add(path, 'field names are 1 to 128 characters of A-Z a-z 0-9 _ . $ @ -');
  const type = field.type ?? 'string';
  if (type !== 'string' && hasStringRules(field)) {
    problems.add(path, `string rules apply to string fields only; this field is a ${type}`);
  }
  if (field.equals !== undefined && typeof field.equals !== type) {
    problems.add(`${path}.equals`, `must be a ${type}, as the field is`);
  }
  if (publicSecret && field.exposure === 'server') {
    problems.add(
      `${path}.exposure`,
      "a public secret cannot hold a server-only field: make the secret 'server'",
    );
  }
  checkStringRules(field, path, problems);
}

function checkRules(definition: TemplateSecretDefinition, path: string, problems: Problem): void {
  const rules: ValueRules = definition.rules ?? {};
  const isJson = JSON_KINDS.includes(definition.kind);
  const { fields, anyOf } = rules;
  if (fields !== undefined) {
    if (!isJson) problems.add(`${path}.fields`, `fields are for JSON kinds (${JSON_KINDS.join(', ')})`);
    if (hasStringRules(rules) || anyOf !== undefined) {
      problems.add(path, 'a JSON secret is checked by its fields: string rules go inside a field');
    }
    const publicSecret = (definition.exposure ?? 'server') === 'public';
    for (const [name, field] of Object.entries(fields)) {
      checkField(name, field, `${path}.fields.${name}`, problems, publicSecret);
    }
    return;
  }
  if (isJson && (hasStringRules(rules) || anyOf !== undefined)) {
    problems.add(path, `a '${definition.kind}' value is JSON: check it with fields`);
  }
  if (anyOf !== undefined) {
    if (hasStringRules(rules)) problems.add(path, 'give either anyOf or rules of one form, not both');
    if (anyOf.length < 2) problems.add(`${path}.anyOf`, 'must list at least two forms');
    anyOf.forEach((form, i) => checkStringRules(form, `${path}.anyOf[${i}]`, problems));
  } else {
    checkStringRules(rules, path, problems);
  }
}

/** A dependency cycle as `a -> b -> a`, or undefined. */
function findCycle(secrets: readonly TemplateSecretDefinition[]): string | undefined {
  const edges = new Map(secrets.map((secret) => [secret.name, secret.dependsOn ?? []]));
  const state = new Map<string, 'visiting' | 'done'>();
  const trail: string[] = [];
  const visit = (name: string): string | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...trail.slice(trail.indexOf(name)), name].join(' -> ');
    state.set(name, 'visiting');
    trail.push(name);
    for (const next of edges.get(name) ?? []) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    trail.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const secret of secrets) {
    const cycle = visit(secret.name);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

function checkSecret(
  definition: TemplateSecretDefinition,
  index: number,
  names: ReadonlySet<string>,
  root: Problems,
): void {
  const path = `secrets[${index}]`;
  const problems = root.for(SECRET_NAME.test(definition.name) ? definition.name : undefined);
  if (!SECRET_NAME.test(definition.name))
    problems.add(`${path}.name`, 'must be 1 to 128 characters of A-Z a-z 0-9 _ . + = @ -');
  if (!TEMPLATE_KINDS.includes(definition.kind)) {
    problems.add(`${path}.kind`, `must be one of ${TEMPLATE_KINDS.join(', ')}`);
  }
  if (definition.description.trim().length === 0 || definition.description.length > 2048) {
    problems.add(`${path}.description`, 'must be 1 to 2048 characters');
  }
  if (definition.generate === true && !GENERATED_KINDS.includes(definition.kind)) {
    problems.add(
      `${path}.generate`,
      `keystage generates ${GENERATED_KINDS.join(' and ')} values; a '${definition.kind}' value must be given`,
    );
  }
  if (definition.rotationDays !== undefined && !isInteger(definition.rotationDays, 1, MAX_ROTATION_DAYS)) {
    problems.add(`${path}.rotationDays`, `must be an integer from 1 to ${MAX_ROTATION_DAYS}`);
  }
  (definition.dependsOn ?? []).forEach((other, i) => {
    if (other === definition.name)
      problems.add(`${path}.dependsOn[${i}]`, 'a secret cannot depend on itself');
    else if (!names.has(other)) problems.add(`${path}.dependsOn[${i}]`, 'names no secret of this template');
  });
  checkRules(definition, `${path}.rules`, problems);
}

/** The templates `resolveTemplate` made: a catalog takes these as they are, anything else is checked. */
const checked = new WeakSet<Template>();

/** True for a template `resolveTemplate` made (built-in, or checked from a user definition). */
export function isCheckedTemplate(value: unknown): value is Template {
  return typeof value === 'object' && value !== null && checked.has(value as Template);
}

/**
 * Checks a definition's meaning (the types are the compiler's or the schema's job) and fills
 * in the defaults. Every problem is collected before one TemplateError is thrown.
 * @throws TemplateError naming the template, the secret and the field of each problem.
 */
export function resolveTemplate(
  definition: TemplateDefinition,
  source: Template['source'],
  origin?: string,
): Template {
  const problems = new Problems();
  const readable = TEMPLATE_NAME.test(definition.name) ? definition.name : undefined;
  if (readable === undefined) {
    problems.add(
      'name',
      "must be 1 to 64 characters of a-z 0-9 and '-', starting and ending with a letter or digit",
    );
  }
  if (definition.description.trim().length === 0 || definition.description.length > 2048) {
    problems.add('description', 'must be 1 to 2048 characters');
  }
  const rotationDays = definition.rotationDays ?? DEFAULT_ROTATION_DAYS;
  if (!isInteger(rotationDays, 1, MAX_ROTATION_DAYS)) {
    problems.add('rotationDays', `must be an integer from 1 to ${MAX_ROTATION_DAYS}`);
  }
  const { secrets } = definition;
  if (secrets.length === 0 || secrets.length > MAX_SECRETS) {
    problems.add('secrets', `must list 1 to ${MAX_SECRETS} secrets`);
  }
  const names = new Set<string>();
  secrets.forEach((secret, i) => {
    if (names.has(secret.name)) problems.for(secret.name).add(`secrets[${i}].name`, 'is used twice');
    names.add(secret.name);
  });
  secrets.forEach((secret, i) => checkSecret(secret, i, names, problems));
  const cycle = findCycle(secrets);
  if (cycle !== undefined) problems.add('secrets', `dependsOn has a cycle: ${cycle}`);
  if (problems.list.length > 0) throw new TemplateError(readable, problems.list, origin);

  const template: Template = deepFreeze({
    name: definition.name,
    description: definition.description,
    rotationDays,
    source,
    secrets: secrets.map((secret): TemplateSecret => ({
      name: secret.name,
      kind: secret.kind,
      description: secret.description,
      exposure: secret.exposure ?? 'server',
      required: secret.required ?? true,
      generate: secret.generate ?? false,
      rules: secret.rules ?? {},
      dependsOn: secret.dependsOn ?? [],
      rotationDays: secret.rotationDays ?? rotationDays,
    })),
  });
  checked.add(template);
  return template;
}

/** A template is shared by every caller of a catalog: nobody may change it under the others. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    // Built-in definitions are frozen already; copies of user input are frozen here.
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
