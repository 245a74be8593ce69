import { BATCH_SIZE } from '../../client/operations/get-many';
import type { SecretListItem, SecretsClient } from '../../client';
import { KEYSTAGE_TAGS, validateNameSegment } from '../../core';
import { ValidationError } from '../../errors';
import { checkTemplateValue } from './check-value';
import { checkScopeOptions, type TemplateScopeOptions } from './template-options';
import type { Template, TemplateSecret } from './template';

export interface ValidateServiceOptions extends TemplateScopeOptions {
  /**
   * Templates to check besides those found on the service's secrets (their
   * `keystage:template` tags), e.g. before the first `applyTemplate`.
   * @default - only the templates found
   */
  readonly templates?: readonly string[];
}

/** One thing wrong with a service's secrets. Never holds a value. */
export interface ServiceIssue {
  /** The template whose rule is broken; empty when the problem is that there is none. */
  readonly template: string;
  /** The secret's name in the template; empty for the service as a whole. */
  readonly secret: string;
  /** The secret's full name (or `{environment}/{service}` for the service as a whole). */
  readonly name: string;
  /** What is wrong, in words that never quote the value. */
  readonly reason: string;
}

export interface ValidateServiceResult {
  readonly environment: string;
  readonly service: string;
  /** The templates checked. */
  readonly templates: readonly string[];
  /** How many secret values were read and checked. */
  readonly checked: number;
  readonly allValid: boolean;
  readonly invalid: readonly ServiceIssue[];
}

interface Expected {
  readonly template: Template;
  readonly secret: TemplateSecret;
  readonly name: string;
}

/** What the metadata alone says is wrong; a value is read only when this is empty. */
function metadataReasons(expected: Expected, item: SecretListItem): string[] {
  const { secret } = expected;
  if (item.deletionDate !== undefined) return ['is scheduled for deletion'];
  if (item.keystage.status === 'revoked') return ['is revoked'];
  const reasons: string[] = [];
  const kind = item.tags[KEYSTAGE_TAGS.type];
  if (kind !== undefined && kind !== secret.kind) {
    reasons.push(`is a ${JSON.stringify(kind)} secret; the template expects ${JSON.stringify(secret.kind)}`);
  }
  const exposure = item.tags[KEYSTAGE_TAGS.exposure];
  if (exposure !== undefined && exposure !== secret.exposure) {
    reasons.push(`is tagged exposure=${exposure}; the template says ${secret.exposure}`);
  }
  return reasons;
}

/**
 * Checks every secret of the templates applied to a service in an environment: each one the
 * template requires exists, is not revoked or scheduled for deletion, has the kind and
 * exposure the template gives it, and its value keeps the template's rules, with prefixes by
 * environment (a live key in staging is flagged, and a test key in production). Values are
 * read through the client (BatchGetSecretValue, 20 per call), so its access policy and audit
 * trail see every read. The result names what is wrong and why, never a value.
 *
 * The templates are those named by the `keystage:template` tags of the service's secrets,
 * plus `templates`; with none, the service is reported as having no template.
 * @throws ValidationError for bad options or a template name the catalog does not have.
 * @example
 * const { allValid, invalid } = await validateService(secrets, 'billing', { environment: 'staging' });
 * for (const { name, reason } of invalid) console.error(`${name} ${reason}`);
 */
export async function validateService(
  client: SecretsClient,
  service: string,
  options: ValidateServiceOptions,
): Promise<ValidateServiceResult> {
  const scope = checkScopeOptions(options, 'validateService', ['templates'], client);
  validateNameSegment(service, 'service');
  const asked = options.templates ?? [];
  if (!Array.isArray(asked))
    throw new ValidationError('templates', 'templates must be an array of template names.');
  const { environment, catalog, context, callOptions } = scope;
  const chosen = new Map(asked.map((name: string) => [name, catalog.get(name)]));
  const serviceName = `${environment}/${service}`;

  const items = new Map<string, SecretListItem>();
  for await (const item of client.list({
    prefix: `${serviceName}/`,
    includeScheduledForDeletion: true,
    // The prefix names the scope; a scoped client's own environment and service must not filter.
    scoped: false,
    ...callOptions,
  })) {
    items.set(item.name, item);
  }
  const invalid: ServiceIssue[] = [];
  for (const item of items.values()) {
    const name = item.tags[KEYSTAGE_TAGS.template];
    if (name === undefined || chosen.has(name)) continue;
    if (catalog.has(name)) chosen.set(name, catalog.get(name));
    else {
      invalid.push({
        template: name,
        secret: item.name.slice(serviceName.length + 1),
        name: item.name,
        reason: `was created by template ${JSON.stringify(name)}, which is not in the catalog: add it to check this secret`,
      });
    }
  }
  if (chosen.size === 0 && invalid.length === 0) {
    invalid.push({
      template: '',
      secret: '',
      name: serviceName,
      reason:
        'has no template applied (no secret is tagged keystage:template): pass templates to check against one',
    });
  }

  const toRead = new Map<string, Expected[]>();
  for (const template of chosen.values()) {
    for (const secret of template.secrets) {
      const expected: Expected = { template, secret, name: `${serviceName}/${secret.name}` };
      const issue = (reason: string): void => {
        invalid.push({ template: template.name, secret: secret.name, name: expected.name, reason });
      };
      const item = items.get(expected.name);
      if (item === undefined) {
        if (secret.required) issue('is missing: the template requires it');
        continue;
      }
      const reasons = metadataReasons(expected, item);
      if (reasons.length > 0) reasons.forEach(issue);
      // A secret two templates ask for is read once and checked against both.
      else toRead.set(expected.name, [...(toRead.get(expected.name) ?? []), expected]);
    }
  }

  const names = [...toRead.keys()];
  for (let start = 0; start < names.length; start += BATCH_SIZE) {
    const batch = names.slice(start, start + BATCH_SIZE);
    const { values, errors } = await client.getMany(batch, callOptions);
    for (const name of batch) {
      const value = values.get(name)?.value;
      const error = errors.get(name);
      for (const { template, secret } of toRead.get(name)!) {
        const issue = (reason: string): void => {
          invalid.push({ template: template.name, secret: secret.name, name, reason });
        };
        if (error !== undefined) issue(`could not be read (${error.code})`);
        else if (value === undefined) issue('could not be read as text');
        else checkTemplateValue(template, secret, value, context).forEach(issue);
      }
    }
  }
  return {
    environment,
    service,
    templates: [...chosen.keys()],
    checked: names.length,
    allValid: invalid.length === 0,
    invalid,
  };
}
