import { DeleteSecretCommand, TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { inspect } from 'node:util';
import { SecretsClient } from '../../../../lib/client';
import { TemplateCatalog, applyTemplate, validateService } from '../../../../lib/organise';
import { AccessPolicy } from '../../../../lib/policy';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { OutputCapture } from '../../../support/output-capture';
import { recordCommands } from './endpoint-state';
import { sampleValues, stripeKey, supabaseJwt, without } from './samples';

let local: LocalFixture;
beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());

let services = 0;
const freshService = (): string => `vs${++services}`;

function client(capture?: OutputCapture): SecretsClient {
  return new SecretsClient({
    secretsManager: local.sm(),
    kms: local.kms(),
    ...(capture === undefined ? {} : { audit: capture.audit, logger: capture.logger }),
  });
}

/** A service with `template` applied in `environment`, its values right for that environment. */
async function applied(template: string, environment: string, overrides = {}): Promise<string> {
  const service = freshService();
  const values = { ...sampleValues(template, environment === 'prod'), ...overrides };
  const result = await applyTemplate(client(), template, { environment, service, overrides: values });
  expect(
    result.secrets.every((secret) => secret.status === 'created' || secret.status === 'missing-value'),
  ).toBe(true);
  return service;
}

const tag = (name: string, key: string, value: string) =>
  local.sm().send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: key, Value: value }] }));

describe('validateService', () => {
  it('passes a service whose secrets keep their templates', async () => {
    const service = await applied('supabase', 'prod');
    const result = await validateService(client(), service, { environment: 'prod' });
    expect(result).toEqual({
      environment: 'prod',
      service,
      templates: ['supabase'],
      checked: 4,
      allValid: true,
      invalid: [],
    });
  });

  it("takes a scoped client's environment", async () => {
    const service = await applied('twilio', 'staging');
    const scoped = new SecretsClient({
      secretsManager: local.sm(),
      kms: local.kms(),
      environment: 'staging',
      service,
    });
    expect(await validateService(scoped, service, {})).toMatchObject({
      environment: 'staging',
      allValid: true,
    });
    scoped.close();
  });

  it('flags a live key in staging and a test key in production', async () => {
    const staging = await applied('stripe', 'staging');
    const production = await applied('stripe', 'prod');
    const secrets = client();
    await secrets.put(`staging/${staging}/stripe_secret_key`, stripeKey('sk', 'live'));
    await secrets.put(`prod/${production}/stripe_publishable_key`, stripeKey('pk', 'test'));

    const inStaging = await validateService(secrets, staging, { environment: 'staging' });
    expect(inStaging.allValid).toBe(false);
    expect(inStaging.invalid).toEqual([
      {
        template: 'stripe',
        secret: 'stripe_secret_key',
        name: `staging/${staging}/stripe_secret_key`,
        reason:
          'has the production prefix "sk_live_" in non-production environment "staging", which takes "sk_test_" or "rk_test_"',
      },
    ]);
    const inProduction = await validateService(secrets, production, { environment: 'prod' });
    expect(inProduction.invalid.map((issue) => issue.reason)).toEqual([
      'has the non-production prefix "pk_test_" in production environment "prod", which takes "pk_live_"',
    ]);
  });

  it('takes the production environments it is told', async () => {
    const service = await applied('stripe', 'live');
    const asTest = await validateService(client(), service, { environment: 'live' });
    expect(asTest.allValid).toBe(true);
    const asProduction = await validateService(client(), service, {
      environment: 'live',
      productionEnvironments: ['live'],
    });
    expect(asProduction.invalid.map((issue) => issue.secret)).toEqual([
      'stripe_secret_key',
      'stripe_publishable_key',
    ]);
  });

  it('flags a service key put in the anon slot', async () => {
    // applyTemplate refuses it; written past the template, validateService catches it.
    const service = freshService();
    const secrets = client();
    const others = without(sampleValues('supabase', true), 'supabase_anon_key');
    await secrets.create({
      name: 'supabase_anon_key',
      kind: 'api-key',
      environment: 'prod',
      service,
      value: supabaseJwt('service_role'),
    });
    await tag(`prod/${service}/supabase_anon_key`, 'keystage:template', 'supabase');
    await applyTemplate(secrets, 'supabase', { environment: 'prod', service, overrides: others });
    const result = await validateService(secrets, service, { environment: 'prod' });
    expect(result.invalid.map((issue) => [issue.secret, issue.reason.split(':')[0]])).toEqual([
      ['supabase_anon_key', 'looks like "supabase_service_key", a server-only secret, in a public slot'],
      ['supabase_anon_key', 'matches none of its forms'],
    ]);
  });

  it('flags a missing required secret, a revoked one and one scheduled for deletion, without reading them', async () => {
    const partial = without(sampleValues('stripe', false), 'stripe_webhook_secret');
    const service = await applied('stripe', 'dev', {});
    const secrets = client();
    await local.sm().send(
      new DeleteSecretCommand({
        SecretId: `dev/${service}/stripe_webhook_secret`,
        RecoveryWindowInDays: 7,
      }),
    );
    await secrets.revoke(`dev/${service}/stripe_publishable_key`, { reason: 'leaked in a build log' });
    const other = freshService();
    await applyTemplate(secrets, 'stripe', { environment: 'dev', service: other, overrides: partial });

    const capture = new OutputCapture();
    const watched = client(capture);
    const result = await validateService(watched, service, { environment: 'dev' });
    expect(result.invalid.map((issue) => [issue.secret, issue.reason])).toEqual([
      ['stripe_publishable_key', 'is revoked'],
      ['stripe_webhook_secret', 'is scheduled for deletion'],
    ]);
    expect(result.checked).toBe(1);
    expect(
      capture.events.filter((event) => event.action === 'getMany').map((event) => event.secret_name),
    ).toEqual([`dev/${service}/stripe_secret_key`]);
    const missing = await validateService(secrets, other, { environment: 'dev' });
    expect(missing.invalid).toEqual([
      {
        template: 'stripe',
        secret: 'stripe_webhook_secret',
        name: `dev/${other}/stripe_webhook_secret`,
        reason: 'is missing: the template requires it',
      },
    ]);
  });

  it('flags a secret whose kind or exposure tag disagrees with its template', async () => {
    const service = await applied('sendgrid', 'prod');
    await tag(`prod/${service}/sendgrid_api_key`, 'keystage:exposure', 'public');
    await tag(`prod/${service}/sendgrid_template_id`, 'keystage:type', 'api-key');
    const result = await validateService(client(), service, { environment: 'prod' });
    expect(result.invalid.map((issue) => [issue.secret, issue.reason])).toEqual([
      ['sendgrid_api_key', 'is tagged exposure=public; the template says server'],
      ['sendgrid_template_id', 'is a "api-key" secret; the template expects "generic"'],
    ]);
  });

  it('checks every template applied to the service, and names one the catalog does not have', async () => {
    const service = await applied('twilio', 'prod');
    await applyTemplate(client(), 'github-oauth', {
      environment: 'prod',
      service,
      overrides: sampleValues('github-oauth', true),
    });
    const acme = {
      name: 'acme',
      description: 'Acme',
      secrets: [{ name: 'acme_key', kind: 'api-key', description: 'Acme key', rules: { prefix: ['ak_'] } }],
    };
    const secrets = client();
    await secrets.create({
      name: 'acme_key',
      kind: 'api-key',
      environment: 'prod',
      service,
      value: 'ak_0123456789abcdef',
    });
    await tag(`prod/${service}/acme_key`, 'keystage:template', 'acme');

    const unknown = await validateService(secrets, service, { environment: 'prod' });
    expect(unknown.templates).toEqual(['twilio', 'github-oauth']);
    expect(unknown.invalid).toEqual([
      {
        template: 'acme',
        secret: 'acme_key',
        name: `prod/${service}/acme_key`,
        reason: 'was created by template "acme", which is not in the catalog: add it to check this secret',
      },
    ]);
    const known = await validateService(secrets, service, {
      environment: 'prod',
      catalog: TemplateCatalog.builtIn().with(acme),
    });
    expect(known).toMatchObject({
      allValid: true,
      templates: ['twilio', 'github-oauth', 'acme'],
      checked: 6,
    });
  });

  it('says when a service has no template, and checks one asked for before it is applied', async () => {
    const service = freshService();
    const none = await validateService(client(), service, { environment: 'prod' });
    expect(none).toMatchObject({ allValid: false, templates: [] });
    expect(none.invalid[0]!.reason).toMatch(/^has no template applied/);
    const asked = await validateService(client(), service, {
      environment: 'prod',
      templates: ['google-oauth'],
    });
    expect(asked.invalid.map((issue) => [issue.secret, issue.reason])).toEqual([
      ['google_oauth', 'is missing: the template requires it'],
    ]);
  });

  it('reads through the client: a read its policy denies is reported, not skipped', async () => {
    const service = await applied('stripe', 'prod');
    const principal = { id: 'auditor', service: 'audit', environment: 'prod', roles: [] };
    const policy = new AccessPolicy({
      rules: [
        { id: 'look', effect: 'allow', secrets: ['prod/**'], operations: ['list', 'read'] },
        {
          id: 'not-webhooks',
          effect: 'deny',
          secrets: [`prod/${service}/stripe_webhook_secret`],
          operations: ['read'],
        },
      ],
    });
    const secrets = new SecretsClient({ secretsManager: local.sm(), kms: local.kms(), policy, principal });
    const result = await validateService(secrets, service, { environment: 'prod' });
    expect(result.invalid.map((issue) => [issue.secret, issue.reason])).toEqual([
      ['stripe_webhook_secret', 'could not be read (PERMISSION_DENIED)'],
    ]);
  });

  it('reads values 20 to a BatchGetSecretValue call', async () => {
    const service = await applied('firebase', 'prod');
    await applyTemplate(client(), 'twilio', {
      environment: 'prod',
      service,
      overrides: sampleValues('twilio', true),
    });
    const sm = local.sm();
    const sent = recordCommands(sm);
    const result = await validateService(
      new SecretsClient({ secretsManager: sm, kms: local.kms() }),
      service,
      {
        environment: 'prod',
      },
    );
    expect(result).toMatchObject({ allValid: true, checked: 11 });
    expect(sent.filter((command) => command === 'BatchGetSecretValueCommand')).toHaveLength(1);
    expect(sent.filter((command) => command === 'GetSecretValueCommand')).toHaveLength(0);
  });

  it('never shows a value in its result, the audit trail or the logs', async () => {
    const planted = stripeKey('sk', 'live');
    const service = await applied('stripe', 'staging');
    await client().put(`staging/${service}/stripe_secret_key`, planted);
    const capture = new OutputCapture();
    capture.start();
    try {
      const result = await validateService(client(capture), service, { environment: 'staging' });
      capture.add(JSON.stringify(result));
      capture.add(inspect(result, { depth: 10 }));
      expect(result.allValid).toBe(false);
      expect(capture.text()).not.toContain(planted);
      expect(capture.text()).not.toContain(planted.slice(8));
    } finally {
      capture.stop();
    }
  });

  it.each([
    ['a bad service', 'a/b', { environment: 'prod' }, 'service'],
    ['an unknown template', 'billing', { environment: 'prod', templates: ['strpe'] }, 'template'],
    ['a misspelt option', 'billing', { environment: 'prod', template: ['stripe'] }, 'template'],
    ['no environment', 'billing', {}, 'environment'],
  ])('refuses %s before any I/O', async (_, service, options, field) => {
    const sm = local.sm();
    const sent = recordCommands(sm);
    await expect(
      validateService(new SecretsClient({ secretsManager: sm, kms: local.kms() }), service, options as never),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', field });
    expect(sent).toEqual([]);
  });
});
