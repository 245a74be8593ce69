import type { SecretKind } from '../../core';
import { TemplateCatalog } from './catalog';
import type { Exposure, FieldRules, StringRules, Template, ValueRules } from './template';

/** Which catalog to look in. */
export interface CatalogOption {
  /** @default - the built-in templates (TemplateCatalog.builtIn()) */
  readonly catalog?: TemplateCatalog;
}

/** A template in a listing. */
export interface TemplateSummary {
  readonly name: string;
  readonly description: string;
  readonly source: Template['source'];
  readonly rotationDays: number;
  /** The names of its secrets, in order. */
  readonly secrets: readonly string[];
}

/** A field of a JSON secret, as `describeTemplate` shows it. */
export interface FieldDescription {
  readonly name: string;
  readonly type: 'string' | 'number' | 'boolean';
  readonly required: boolean;
  readonly exposure: Exposure;
  /** The field's rules in words. */
  readonly rules: readonly string[];
}

/** A secret of a template, as `describeTemplate` shows it: rules in words, no value. */
export interface TemplateSecretDescription {
  readonly name: string;
  readonly kind: SecretKind;
  readonly description: string;
  readonly exposure: Exposure;
  readonly required: boolean;
  /** True when keystage generates the value if none is given. */
  readonly generated: boolean;
  readonly rotationDays: number;
  readonly dependsOn: readonly string[];
  /** The rules in words, e.g. `starts with "sk_live_" or "rk_live_" in production`. */
  readonly rules: readonly string[];
  /** For a JSON secret, its fields; empty otherwise. */
  readonly fields: readonly FieldDescription[];
}

export interface TemplateDescription extends Omit<TemplateSummary, 'secrets'> {
  readonly secrets: readonly TemplateSecretDescription[];
  /** Secrets and fields safe for a browser, as `secret` or `secret.field`. */
  readonly publicValues: readonly string[];
  /** Secrets and fields that must stay on servers, as `secret` or `secret.field`. */
  readonly serverValues: readonly string[];
}

const quoted = (items: readonly string[]): string => items.map((item) => JSON.stringify(item)).join(' or ');

function describeString(rules: StringRules): string[] {
  const words: string[] = [];
  const { prefix, suffix, length } = rules;
  if (Array.isArray(prefix)) words.push(`starts with ${quoted(prefix as readonly string[])}`);
  else if (prefix !== undefined) {
    const byEnvironment = prefix as { production: readonly string[]; other: readonly string[] };
    words.push(
      `starts with ${quoted(byEnvironment.production)} in production, ` +
        `${quoted(byEnvironment.other)} in other environments`,
    );
  }
  if (suffix !== undefined) words.push(`ends with ${quoted(suffix)}`);
  if (typeof length === 'number') words.push(`${length} characters`);
  else if (length !== undefined) {
    words.push(
      length.min !== undefined && length.max !== undefined
        ? `${length.min} to ${length.max} characters`
        : length.min !== undefined
          ? `at least ${length.min} characters`
          : `at most ${length.max} characters`,
    );
  }
  if (rules.charset !== undefined) words.push(`${rules.charset} characters`);
  if (rules.format !== undefined) words.push(`format ${rules.format}`);
  for (const [claim, value] of Object.entries(rules.claims ?? {})) {
    words.push(`claim ${JSON.stringify(claim)} is ${JSON.stringify(value)}`);
  }
  return words;
}

function describeRules(rules: ValueRules): string[] {
  if (rules.fields !== undefined) return ['a JSON object'];
  if (rules.anyOf === undefined) return describeString(rules);
  return [
    `one of: ${rules.anyOf
      .map((form, i) => `${form.label ?? `form ${i + 1}`} (${describeString(form).join(', ')})`)
      .join('; ')}`,
  ];
}

function describeField(name: string, field: FieldRules, exposure: Exposure): FieldDescription {
  return {
    name,
    type: field.type ?? 'string',
    required: field.required ?? true,
    exposure: field.exposure ?? exposure,
    rules: [
      ...(field.equals === undefined ? [] : [`is ${JSON.stringify(field.equals)}`]),
      ...describeString(field),
    ],
  };
}

/**
 * The templates of a catalog, for a CLI or console listing. Holds no values.
 * @example
 * for (const { name, description } of listTemplates()) console.log(name, description);
 */
export function listTemplates(options: CatalogOption = {}): TemplateSummary[] {
  return (options.catalog ?? TemplateCatalog.builtIn()).templates().map((template) => ({
    name: template.name,
    description: template.description,
    source: template.source,
    rotationDays: template.rotationDays,
    secrets: template.secrets.map((secret) => secret.name),
  }));
}

/**
 * Everything a template asks for: each secret's kind, exposure, rules in words, fields,
 * dependencies and rotation period, and which values are public. Holds no values.
 * @throws ValidationError (field `template`) for a name the catalog does not have.
 * @example
 * const { publicValues } = describeTemplate('supabase'); // ['supabase_url', 'supabase_anon_key']
 */
export function describeTemplate(name: string, options: CatalogOption = {}): TemplateDescription {
  const template = (options.catalog ?? TemplateCatalog.builtIn()).get(name);
  const secrets = template.secrets.map((secret): TemplateSecretDescription => ({
    name: secret.name,
    kind: secret.kind,
    description: secret.description,
    exposure: secret.exposure,
    required: secret.required,
    generated: secret.generate,
    rotationDays: secret.rotationDays,
    dependsOn: secret.dependsOn,
    rules: describeRules(secret.rules),
    fields: Object.entries(secret.rules.fields ?? {}).map(([field, rules]) =>
      describeField(field, rules, secret.exposure),
    ),
  }));
  const values = secrets.flatMap((secret) => [
    { path: secret.name, exposure: secret.exposure },
    ...secret.fields.map((field) => ({ path: `${secret.name}.${field.name}`, exposure: field.exposure })),
  ]);
  return {
    name: template.name,
    description: template.description,
    source: template.source,
    rotationDays: template.rotationDays,
    secrets,
    publicValues: values.filter((value) => value.exposure === 'public').map((value) => value.path),
    serverValues: values.filter((value) => value.exposure === 'server').map((value) => value.path),
  };
}
