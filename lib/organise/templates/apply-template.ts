import { validateBoolean } from '../../core';
import type { SecretsClient } from '../../client';
import { accessDecision, runOperation } from '../../client/secrets-client';
import { KeystageError } from '../../errors';
import {
  BLOCKED,
  creationOrder,
  existingSecrets,
  existsReasons,
  prepareValue,
  recordDependencies,
  type Step,
} from './apply-steps';
import { createFromTemplate } from './create-from-template';
import { checkScopeOptions, scopePart, type TemplateScopeOptions } from './template-options';
import { checkOverrides } from './template-values';
import type { Exposure } from './template';

export interface ApplyTemplateOptions extends TemplateScopeOptions {
  /**
   * The service the secrets belong to: the second segment of every name, e.g. `billing`.
   * @default - the client's service; required when it has none
   */
  readonly service?: string;
  /**
   * Values keyed by the template's secret names: a string, or for a JSON secret an object or
   * JSON text. Each is checked against the template's rules before anything is written.
   * @default - none: generated where keystage can, else reported `missing-value`
   */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** Check and plan only: report `would-create` and write nothing. @default false */
  readonly dryRun?: boolean;
}

/**
 * What happened to one secret:
 * - `created`: created now, tagged with the template and its exposure;
 * - `exists`: there already (never overwritten; a value given for it is not written);
 * - `invalid`: the value breaks the template's rules (see `reasons`), so nothing was written;
 * - `missing-value`: required, no value given, and keystage cannot generate it;
 * - `denied`: the access policy would refuse the create, so nothing was written;
 * - `skipped`: optional and not given, or not written because another secret is invalid or denied;
 * - `would-create`: a dry run's plan;
 * - `failed`: the create was refused or failed (see `reasons`); rerun to finish.
 */
export type AppliedStatus =
  'created' | 'exists' | 'invalid' | 'missing-value' | 'denied' | 'skipped' | 'would-create' | 'failed';

/** One secret's outcome. Never holds its value. */
export interface AppliedSecret {
  /** The secret's name in the template, e.g. `stripe_secret_key`. */
  readonly secret: string;
  /** Its full name, `{environment}/{service}/{secret}`. */
  readonly name: string;
  readonly status: AppliedStatus;
  readonly exposure: Exposure;
  /** Why, in words that never quote a value. */
  readonly reasons: readonly string[];
  /** True when keystage generated the value (created or would create). */
  readonly generated: boolean;
  /** The VersionId created, for `created`. */
  readonly versionId: string | undefined;
}

export interface ApplyTemplateResult {
  readonly template: string;
  readonly environment: string;
  readonly service: string;
  readonly dryRun: boolean;
  /** True when every required secret of the template exists (now or before) and nothing failed. */
  readonly complete: boolean;
  readonly secrets: readonly AppliedSecret[];
}

/**
 * Creates what a service needs from a template: every secret that is missing, with the
 * value given in `overrides` or, where keystage can, a generated one; a required secret
 * without either is reported `missing-value`, never invented. An existing secret is never
 * overwritten.
 *
 * Everything given is checked first (the template's rules, with prefixes by environment, and
 * create's own checks), and so is the access policy for each create: if any value is invalid
 * or any create would be denied, nothing is written. Each created secret is tagged
 * `keystage:template=<name>` and `keystage:exposure=public|server`, and its template
 * dependencies are recorded. Idempotent: each create carries a ClientRequestToken derived
 * from the template and the name, so a rerun after a crash finishes the job without a
 * second version of anything. The result never holds a value.
 * @throws ValidationError for bad options, an unknown template or an override that is not a
 * secret of the template.
 * @example
 * const result = await applyTemplate(secrets, 'stripe', {
 *   environment: 'staging',
 *   service: 'billing',
 *   overrides: { stripe_secret_key: 'sk_test_…', stripe_publishable_key: 'pk_test_…', stripe_webhook_secret: 'whsec_…' },
 * });
 * for (const { secret, status, reasons } of result.secrets) console.log(secret, status, reasons);
 */
export async function applyTemplate(
  client: SecretsClient,
  name: string,
  options: ApplyTemplateOptions,
): Promise<ApplyTemplateResult> {
  const scope = checkScopeOptions(options, 'applyTemplate', ['service', 'overrides', 'dryRun'], client);
  const service = scopePart(options.service, client.scope.service, 'service', 'applyTemplate');
  const dryRun = validateBoolean(options.dryRun, 'dryRun', false);
  const template = scope.catalog.get(name);
  const overrides = checkOverrides(template, options.overrides);
  const { environment, context, callOptions } = scope;
  const request = { template: template.name, environment, service, ...callOptions };
  const steps = new Map(
    creationOrder(template).map((secret): [string, Step] => [
      secret.name,
      {
        secret,
        name: `${environment}/${service}/${secret.name}`,
        status: undefined,
        reasons: [],
        value: undefined,
        versionId: undefined,
        existing: undefined,
      },
    ]),
  );

  // Given values first, before any I/O: a bad one stops the run whether or not it exists.
  for (const step of steps.values()) {
    const given = overrides.get(step.secret.name);
    if (given !== undefined) prepareValue(step, given, template, request, context);
  }

  const existing = await existingSecrets(client, `${environment}/${service}/`, callOptions);
  for (const step of steps.values()) {
    step.existing = existing.get(step.name);
    if (step.existing !== undefined) {
      step.reasons.push(...existsReasons(step, template.name, overrides.has(step.secret.name)));
      step.status ??= 'exists';
      continue;
    }
    if (step.status !== undefined) continue;
    if (step.value === undefined) prepareValue(step, undefined, template, request, context);
    if (step.status !== undefined) continue;
    if (step.value === undefined) {
      step.status = step.secret.required ? 'missing-value' : 'skipped';
      step.reasons.push(
        step.secret.required
          ? 'required, and no value was given: keystage does not invent values a provider issues'
          : 'optional, and no value was given',
      );
      continue;
    }
    const decision = accessDecision(client, createFromTemplate, step.name, callOptions);
    if (decision !== undefined && !decision.allowed) {
      step.status = 'denied';
      step.reasons.push(`the access policy denies creating it: ${decision.reason}`);
    }
  }

  const toCreate = [...steps.values()].filter((step) => step.status === undefined);
  const blocked = [...steps.values()].some((step) => step.status === 'invalid' || step.status === 'denied');
  for (const step of toCreate) {
    if (blocked) {
      step.status = 'skipped';
      step.reasons.push(BLOCKED);
    } else if (dryRun) step.status = 'would-create';
    else {
      try {
        const ref = await runOperation(
          client,
          createFromTemplate,
          [{ ...request, secret: step.secret, value: step.value!.text }],
          callOptions,
        );
        step.status = 'created';
        step.versionId = ref.versionId;
      } catch (error) {
        if (!(error instanceof KeystageError)) throw error;
        // Listing can lag a create (it is eventually consistent): the service then says it exists.
        const exists =
          error.code === 'CONFLICT' &&
          (error.cause as { name?: unknown })?.name === 'ResourceExistsException';
        step.status = exists ? 'exists' : 'failed';
        step.reasons.push(
          exists
            ? 'exists: created meanwhile (or not listed yet); left as it is'
            : `${error.code}: ${error.message}`,
        );
      }
    }
  }
  if (!dryRun && !blocked) await recordDependencies(client, steps, template.name, callOptions);

  const secrets = [...template.secrets].map((secret): AppliedSecret => {
    const step = steps.get(secret.name)!;
    return {
      secret: secret.name,
      name: step.name,
      status: step.status!,
      exposure: secret.exposure,
      reasons: step.reasons,
      generated: (step.status === 'created' || step.status === 'would-create') && step.value!.generated,
      versionId: step.versionId,
    };
  });
  return {
    template: template.name,
    environment,
    service,
    dryRun,
    complete: secrets.every(
      (outcome) =>
        outcome.status === 'created' ||
        outcome.status === 'exists' ||
        (outcome.status === 'skipped' && !steps.get(outcome.secret)!.secret.required && !blocked),
    ),
    secrets,
  };
}
