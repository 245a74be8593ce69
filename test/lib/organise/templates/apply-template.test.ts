import { GetSecretValueCommand, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { inspect } from 'node:util';
import { SecretsClient } from '../../../../lib/client';
import { ValidationError } from '../../../../lib/errors';
import { TemplateCatalog, applyTemplate, type ApplyTemplateResult } from '../../../../lib/organise';
import { templateRequestToken } from '../../../../lib/organise/templates/create-from-template';
import { AccessPolicy } from '../../../../lib/policy';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { OutputCapture } from '../../../support/output-capture';
import { WRITE_COMMANDS, crashAfterWrites, endpointState, recordCommands } from './endpoint-state';
import { alnum, sampleValues, stripeKey, webhookSecret, without } from './samples';

let local: LocalFixture;
beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());

/** A service name no other test uses, so tests share one endpoint without seeing each other. */
let services = 0;
const freshService = (): string => `svc${++services}`;

function client(capture?: OutputCapture, sm = local.sm()): SecretsClient {
  return new SecretsClient({
    secretsManager: sm,
    kms: local.kms(),
    ...(capture === undefined ? {} : { audit: capture.audit, logger: capture.logger }),
  });
}

const statuses = (result: ApplyTemplateResult): Record<string, string> =>
  Object.fromEntries(result.secrets.map((secret) => [secret.secret, secret.status]));

/** A user template with values keystage generates: a webhook secret and an OAuth client secret. */
const generatedCatalog = TemplateCatalog.builtIn().with({
  name: 'partner-webhooks',
  description: 'Webhooks we send to partners, and the OAuth client partners call us with',
  secrets: [
    {
      name: 'partner_signing_secret',
      kind: 'webhook-secret',
      description: 'Signs our deliveries',
      generate: true,
    },
    {
      name: 'partner_oauth',
      kind: 'oauth-client',
      description: 'The client partners use',
      generate: true,
      rules: { fields: { client_id: { exposure: 'public' }, redirect_uri: { format: 'redirect-uri' } } },
      dependsOn: ['partner_signing_secret'],
    },
  ],
});

describe('applyTemplate', () => {
  it('creates every secret from overrides, tagged with the template, its exposure and scope', async () => {
    const service = freshService();
    const overrides = sampleValues('stripe', false);
    const secrets = client();
    const result = await applyTemplate(secrets, 'stripe', { environment: 'staging', service, overrides });

    expect(result).toMatchObject({ template: 'stripe', environment: 'staging', service, complete: true });
    expect(statuses(result)).toEqual({
      stripe_secret_key: 'created',
      stripe_publishable_key: 'created',
      stripe_webhook_secret: 'created',
    });
    const state = await endpointState(local.sm(), `staging/${service}/`);
    expect(state.map((secret) => secret.name)).toEqual([
      `staging/${service}/stripe_publishable_key`,
      `staging/${service}/stripe_secret_key`,
      `staging/${service}/stripe_webhook_secret`,
    ]);
    const publishable = state[0]!;
    expect(publishable.tags).toMatchObject({
      'keystage:template': 'stripe',
      'keystage:exposure': 'public',
      'keystage:environment': 'staging',
      'keystage:service': service,
      'keystage:type': 'api-key',
    });
    expect(state[1]!.tags['keystage:exposure']).toBe('server');
    // One version each, its VersionId the token derived from the template and the name.
    const token = templateRequestToken('stripe', publishable.name);
    expect(publishable.versions).toEqual({
      [token]: { stages: ['AWSCURRENT'], value: overrides.stripe_publishable_key },
    });
    expect(result.secrets[1]!.versionId).toBe(token);
    secrets.close();
  });

  it("takes a scoped client's environment and service, and its scope never hides what exists", async () => {
    const service = freshService();
    const overrides = sampleValues('stripe', false);
    const scoped = new SecretsClient({
      secretsManager: local.sm(),
      kms: local.kms(),
      environment: 'staging',
      service,
    });
    const result = await applyTemplate(scoped, 'stripe', { overrides });
    expect(result).toMatchObject({ environment: 'staging', service, complete: true });
    expect(result.secrets[0]!.name).toBe(`staging/${service}/stripe_secret_key`);

    const elsewhere = new SecretsClient({
      secretsManager: local.sm(),
      kms: local.kms(),
      environment: 'dev',
      service: 'web',
    });
    const again = await applyTemplate(elsewhere, 'stripe', { environment: 'staging', service, overrides });
    expect(Object.values(statuses(again))).toEqual(['exists', 'exists', 'exists']);
    scoped.close();
    elsewhere.close();
  });

  it("records each secret's template dependencies with the groups' tag", async () => {
    const service = freshService();
    await applyTemplate(client(), 'stripe', {
      environment: 'staging',
      service,
      overrides: sampleValues('stripe', false),
    });
    const state = await endpointState(local.sm(), `staging/${service}/`);
    const dependsOn = (name: string) => state.find((s) => s.name.endsWith(name))!.tags['keystage:depends-on'];
    expect(dependsOn('stripe_publishable_key')).toContain(`staging/${service}/stripe_secret_key`);
    expect(dependsOn('stripe_webhook_secret')).toContain(`staging/${service}/stripe_secret_key`);
    expect(dependsOn('stripe_secret_key')).toBeUndefined();
  });

  it('generates what keystage can: a webhook signing secret, and an OAuth client secret', async () => {
    const service = freshService();
    const result = await applyTemplate(client(), 'partner-webhooks', {
      environment: 'prod',
      service,
      catalog: generatedCatalog,
      overrides: {
        partner_oauth: { client_id: 'partner-portal', redirect_uri: 'https://partners.example.com/cb' },
      },
    });
    expect(result.secrets.map(({ status, generated }) => [status, generated])).toEqual([
      ['created', true],
      ['created', true],
    ]);
    const read = async (name: string) =>
      (await local.sm().send(new GetSecretValueCommand({ SecretId: `prod/${service}/${name}` })))
        .SecretString!;
    expect(await read('partner_signing_secret')).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(JSON.parse(await read('partner_oauth'))).toEqual({
      client_id: 'partner-portal',
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      redirect_uri: 'https://partners.example.com/cb',
    });
  });

  it('reports a required secret without a value as missing-value, never invented, and creates the rest', async () => {
    const service = freshService();
    const partial = without(sampleValues('stripe', false), 'stripe_webhook_secret');
    const result = await applyTemplate(client(), 'stripe', {
      environment: 'dev',
      service,
      overrides: partial,
    });
    expect(statuses(result)).toMatchObject({
      stripe_secret_key: 'created',
      stripe_webhook_secret: 'missing-value',
    });
    expect(result.complete).toBe(false);
    expect(result.secrets[2]!.reasons).toEqual([
      'required, and no value was given: keystage does not invent values a provider issues',
    ]);
    expect((await endpointState(local.sm(), `dev/${service}/`)).map((s) => s.name)).not.toContain(
      `dev/${service}/stripe_webhook_secret`,
    );
  });

  it('writes nothing when any value is invalid: a live key in staging stops the run', async () => {
    const service = freshService();
    const sm = local.sm();
    const sent = recordCommands(sm);
    const overrides = { ...sampleValues('stripe', false), stripe_secret_key: stripeKey('sk', 'live') };
    const result = await applyTemplate(client(undefined, sm), 'stripe', {
      environment: 'staging',
      service,
      overrides,
    });

    expect(statuses(result)).toEqual({
      stripe_secret_key: 'invalid',
      stripe_publishable_key: 'skipped',
      stripe_webhook_secret: 'skipped',
    });
    expect(result.secrets[0]!.reasons).toEqual([
      'has the production prefix "sk_live_" in non-production environment "staging", which takes "sk_test_" or "rk_test_"',
    ]);
    expect(result.secrets[1]!.reasons).toEqual([
      'not created: nothing is written while another secret of the template is invalid or denied',
    ]);
    expect(result.complete).toBe(false);
    expect(sent.filter((command) => WRITE_COMMANDS.has(command))).toEqual([]);
    expect(await endpointState(local.sm(), `staging/${service}/`)).toEqual([]);
  });

  it("reports create's own refusal (the kind's shape) as invalid, before anything is written", async () => {
    const service = freshService();
    const catalog = TemplateCatalog.builtIn().with({
      name: 'loose',
      description: 'No rules of its own',
      secrets: [
        { name: 'hook', kind: 'webhook-secret', description: 'A webhook secret' },
        { name: 'other', kind: 'generic', description: 'Anything', generate: true },
      ],
    });
    const result = await applyTemplate(client(), 'loose', {
      environment: 'dev',
      service,
      catalog,
      overrides: { hook: 'not-a-webhook-secret' },
    });
    expect(statuses(result)).toEqual({ hook: 'invalid', other: 'skipped' });
    expect(result.secrets[0]!.reasons[0]).toMatch(
      /^create refuses it: A 'webhook-secret' is 'whsec_' followed by/,
    );
    expect(await endpointState(local.sm(), `dev/${service}/`)).toEqual([]);
  });

  it('never overwrites: an existing secret is reported exists and keeps its only version', async () => {
    const service = freshService();
    const secrets = client();
    const original = stripeKey('sk', 'test');
    await secrets.create({
      name: 'stripe_secret_key',
      kind: 'api-key',
      environment: 'dev',
      service,
      value: original,
    });
    const result = await applyTemplate(secrets, 'stripe', {
      environment: 'dev',
      service,
      overrides: sampleValues('stripe', false),
    });

    expect(result.secrets[0]).toMatchObject({
      status: 'exists',
      reasons: [
        'exists and was not created by a template; left as it is',
        'the value given in overrides is not written: applyTemplate never overwrites',
      ],
    });
    const [state] = (await endpointState(local.sm(), `dev/${service}/stripe_secret_key`)).slice(-1);
    expect(Object.values(state!.versions)).toEqual([{ stages: ['AWSCURRENT'], value: original }]);
    expect(result.complete).toBe(true);
    secrets.close();
  });

  it('is idempotent: a rerun finds everything and writes nothing', async () => {
    const service = freshService();
    const overrides = sampleValues('supabase', true);
    await applyTemplate(client(), 'supabase', { environment: 'prod', service, overrides });
    const before = await endpointState(local.sm(), `prod/${service}/`);

    const sm = local.sm();
    const sent = recordCommands(sm);
    const again = await applyTemplate(client(undefined, sm), 'supabase', {
      environment: 'prod',
      service,
      overrides,
    });
    expect(new Set(Object.values(statuses(again)))).toEqual(new Set(['exists']));
    expect(again.complete).toBe(true);
    expect(sent.filter((command) => WRITE_COMMANDS.has(command))).toEqual([]);
    expect(await endpointState(local.sm(), `prod/${service}/`)).toEqual(before);
  });

  it('plans a dry run without writing', async () => {
    const service = freshService();
    const sm = local.sm();
    const sent = recordCommands(sm);
    const result = await applyTemplate(client(undefined, sm), 'twilio', {
      environment: 'prod',
      service,
      overrides: { twilio_account_sid: sampleValues('twilio', true).twilio_account_sid },
      dryRun: true,
    });
    expect(result.dryRun).toBe(true);
    expect(statuses(result)).toEqual({
      twilio_account_sid: 'would-create',
      twilio_auth_token: 'missing-value',
      twilio_api_key_sid: 'skipped',
      twilio_api_key_secret: 'skipped',
    });
    expect(sent.filter((command) => WRITE_COMMANDS.has(command))).toEqual([]);
  });

  it('checks the access policy for every create before the first write', async () => {
    const service = freshService();
    const principal = { id: 'deployer', service: 'deploy', environment: 'prod', roles: [] };
    const policy = new AccessPolicy({
      rules: [
        { id: 'list', effect: 'allow', secrets: ['prod/**'], operations: ['list', 'read'] },
        { id: 'keys', effect: 'allow', secrets: [`prod/${service}/*_key`], operations: ['create'] },
      ],
    });
    const secrets = new SecretsClient({ secretsManager: local.sm(), kms: local.kms(), policy, principal });
    const result = await applyTemplate(secrets, 'stripe', {
      environment: 'prod',
      service,
      overrides: sampleValues('stripe', true),
    });
    expect(statuses(result)).toEqual({
      stripe_secret_key: 'skipped',
      stripe_publishable_key: 'skipped',
      stripe_webhook_secret: 'denied',
    });
    expect(result.secrets[2]!.reasons[0]).toMatch(
      /^the access policy denies creating it: no rule allows create/,
    );
    expect(await endpointState(local.sm(), `prod/${service}/`)).toEqual([]);
  });

  it('treats a secret created meanwhile (listing lags) as existing, and a retried create as one create', async () => {
    const service = freshService();
    const overrides = sampleValues('sendgrid', true);
    await applyTemplate(client(), 'sendgrid', { environment: 'prod', service, overrides });
    const before = await endpointState(local.sm(), `prod/${service}/`);

    // A listing that has not caught up: every secret looks missing.
    const sm = local.sm();
    const send = sm.send.bind(sm) as (command: object) => Promise<unknown>;
    sm.send = (async (command: object) =>
      command instanceof ListSecretsCommand ? { SecretList: [] } : send(command)) as typeof sm.send;
    const sameValues = await applyTemplate(client(undefined, sm), 'sendgrid', {
      environment: 'prod',
      service,
      overrides,
    });
    expect(Object.values(statuses(sameValues))).toEqual(['created', 'created', 'created']);
    const otherValue = await applyTemplate(client(undefined, sm), 'sendgrid', {
      environment: 'prod',
      service,
      overrides: sampleValues('sendgrid', true),
    });
    expect(otherValue.secrets[0]).toMatchObject({
      status: 'exists',
      reasons: ['exists: created meanwhile (or not listed yet); left as it is'],
    });
    expect(await endpointState(local.sm(), `prod/${service}/`)).toEqual(before);
  });

  describe('killed between writes and rerun', () => {
    const overrides = sampleValues('stripe', true);

    async function uninterrupted(): Promise<{ writes: number; state: unknown }> {
      const service = freshService();
      const sm = local.sm();
      const sent = recordCommands(sm);
      await applyTemplate(client(undefined, sm), 'stripe', { environment: 'prod', service, overrides });
      const state = await endpointState(local.sm(), `prod/${service}/`);
      return { writes: sent.filter((c) => WRITE_COMMANDS.has(c)).length, state: normalise(state, service) };
    }

    /** State with the service name taken out, so runs on different services compare. */
    const normalise = (state: unknown, service: string): unknown =>
      JSON.parse(
        JSON.stringify(state)
          .replaceAll(service, 'SERVICE')
          .replace(/"[0-9a-f-]{36}"/g, '"TOKEN"'),
      );

    it('reaches the uninterrupted final state after a crash at every write, with one version per secret', async () => {
      const reference = await uninterrupted();
      // Three creates, and the dependencies of the publishable key and the webhook secret.
      expect(reference.writes).toBe(5);
      for (let writes = 1; writes <= reference.writes; writes++) {
        const service = freshService();
        const sm = local.sm();
        const crash = crashAfterWrites(sm, writes);
        const first = await applyTemplate(client(undefined, sm), 'stripe', {
          environment: 'prod',
          service,
          overrides,
        });
        expect(crash.crashed()).toBe(true);
        expect(first.complete).toBe(false);
        // The write whose answer was lost, and what came after, are reported failed: rerun.
        expect(first.secrets.some((secret) => secret.status === 'failed')).toBe(true);

        const rerun = await applyTemplate(client(), 'stripe', { environment: 'prod', service, overrides });
        expect([writes, rerun.complete]).toEqual([writes, true]);
        const state = await endpointState(local.sm(), `prod/${service}/`);
        expect([writes, normalise(state, service)]).toEqual([writes, reference.state]);
        for (const secret of state) {
          expect(Object.keys(secret.versions)).toEqual([templateRequestToken('stripe', secret.name)]);
        }
      }
    });
  });

  it('finishes a template of generated values after a crash at every write, one version per secret', async () => {
    const shape = (state: Awaited<ReturnType<typeof endpointState>>, service: string) =>
      state.map((secret) => ({
        name: secret.name.replace(service, 'SERVICE'),
        tags: JSON.parse(JSON.stringify(secret.tags).replaceAll(service, 'SERVICE')) as unknown,
        versions: Object.keys(secret.versions).map(
          (id) => id === templateRequestToken('partner-webhooks', secret.name),
        ),
      }));
    const options = (service: string) => ({
      environment: 'prod',
      service,
      catalog: generatedCatalog,
      overrides: {
        partner_oauth: { client_id: 'partner-portal', redirect_uri: 'https://partners.example.com/cb' },
      },
    });
    const referenceService = freshService();
    await applyTemplate(client(), 'partner-webhooks', options(referenceService));
    const reference = shape(await endpointState(local.sm(), `prod/${referenceService}/`), referenceService);
    expect(reference.map((secret) => secret.versions)).toEqual([[true], [true]]);
    for (let writes = 1; writes <= 3; writes++) {
      const service = freshService();
      const sm = local.sm();
      crashAfterWrites(sm, writes);
      await applyTemplate(client(undefined, sm), 'partner-webhooks', options(service));
      expect((await applyTemplate(client(), 'partner-webhooks', options(service))).complete).toBe(true);
      expect([writes, shape(await endpointState(local.sm(), `prod/${service}/`), service)]).toEqual([
        writes,
        reference,
      ]);
    }
  });

  describe('bad input, refused before any I/O', () => {
    it.each([
      ['an unknown template', 'strpe', {}, 'template'],
      [
        'an override that is not a secret of the template',
        'stripe',
        { overrides: { stripe_key: 'x' } },
        'overrides.stripe_key',
      ],
      [
        'an object for a string secret',
        'stripe',
        { overrides: { stripe_secret_key: { a: 1 } } },
        'overrides.stripe_secret_key',
      ],
      ['a misspelt option', 'stripe', { overide: {} }, 'overide'],
      ['a bad environment', 'stripe', { environment: 'prod/x' }, 'environment'],
      ['a missing service', 'stripe', { service: undefined }, 'service'],
    ])('refuses %s', async (_, template, changes, field) => {
      const sm = local.sm();
      const sent = recordCommands(sm);
      const options = { environment: 'prod', service: 'billing', ...changes };
      await expect(applyTemplate(client(undefined, sm), template, options as never)).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
        field,
      });
      expect(sent).toEqual([]);
    });

    it('refuses options that are not an object', async () => {
      await expect(applyTemplate(client(), 'stripe', undefined as never)).rejects.toBeInstanceOf(
        ValidationError,
      );
    });
  });

  describe('never shows a value', () => {
    it('in its result, its errors, the audit trail or the logs', async () => {
      const capture = new OutputCapture();
      capture.start();
      const service = freshService();
      const planted = {
        ...sampleValues('stripe', false),
        stripe_secret_key: `sk_live_${alnum(32)}`,
        stripe_webhook_secret: webhookSecret(),
      };
      try {
        const secrets = client(capture);
        const refused = await applyTemplate(secrets, 'stripe', {
          environment: 'staging',
          service,
          overrides: planted,
        });
        const fixed = { ...planted, stripe_secret_key: stripeKey('sk', 'test') };
        const created = await applyTemplate(secrets, 'stripe', {
          environment: 'staging',
          service,
          overrides: fixed,
        });
        const planned = await applyTemplate(secrets, 'stripe', {
          environment: 'staging',
          service: freshService(),
          overrides: fixed,
          dryRun: true,
        });
        const again = await applyTemplate(secrets, 'stripe', {
          environment: 'staging',
          service,
          overrides: fixed,
        });
        const bad = await applyTemplate(secrets, 'stripe', {
          environment: 'staging',
          service,
          overrides: { stripe_key: fixed.stripe_secret_key },
        }).catch((error: unknown) => error);
        for (const shown of [refused, planned, created, again]) {
          capture.add(JSON.stringify(shown));
          capture.add(inspect(shown, { depth: 10 }));
        }
        capture.add(`${(bad as Error).message} ${inspect(bad, { depth: 10 })}`);
        expect(created.complete).toBe(true);
        expect(capture.events.filter((event) => event.action === 'create')).toHaveLength(3);
        expect(capture.events.find((event) => event.action === 'create')?.details).toMatchObject({
          template: 'stripe',
        });
        const text = capture.text();
        for (const value of [...Object.values(planted), fixed.stripe_secret_key] as string[]) {
          expect(text).not.toContain(value);
          expect(text).not.toContain(value.slice(8));
        }
        secrets.close();
      } finally {
        capture.stop();
      }
    });
  });
});
