import { TemplateCatalog } from '../../../../lib/organise/templates/catalog';
import { describeTemplate, listTemplates } from '../../../../lib/organise/templates/describe-template';

describe('listTemplates', () => {
  it('lists the built-in templates with their secrets', () => {
    const listed = listTemplates();
    expect(listed.map((template) => template.name)).toEqual([
      'stripe',
      'sendgrid',
      'twilio',
      'supabase',
      'firebase',
      'github-oauth',
      'google-oauth',
    ]);
    expect(listed[0]).toEqual({
      name: 'stripe',
      description: expect.stringContaining('Stripe'),
      source: 'built-in',
      rotationDays: 90,
      secrets: ['stripe_secret_key', 'stripe_publishable_key', 'stripe_webhook_secret'],
    });
  });

  it('lists a catalog given', () => {
    const catalog = TemplateCatalog.builtIn().with({
      name: 'acme',
      description: 'Acme',
      secrets: [{ name: 'acme_key', kind: 'api-key', description: 'Acme key' }],
    });
    expect(listTemplates({ catalog }).at(-1)).toMatchObject({ name: 'acme', source: 'user' });
  });
});

describe('describeTemplate', () => {
  it('says which values are public and which stay on servers', () => {
    const supabase = describeTemplate('supabase');
    expect(supabase.publicValues).toEqual(['supabase_url', 'supabase_anon_key']);
    expect(supabase.serverValues).toEqual(['supabase_service_key', 'supabase_db_password']);
    const github = describeTemplate('github-oauth');
    expect(github.publicValues).toEqual(['github_oauth.client_id', 'github_oauth.redirect_uri']);
    expect(github.serverValues).toEqual(['github_oauth', 'github_oauth.client_secret']);
  });

  it('puts each rule in words, prefixes by environment included', () => {
    const [secretKey, , webhook] = describeTemplate('stripe').secrets;
    expect(secretKey).toEqual({
      name: 'stripe_secret_key',
      kind: 'api-key',
      description: expect.any(String),
      exposure: 'server',
      required: true,
      generated: false,
      rotationDays: 90,
      dependsOn: [],
      rules: [
        'starts with "sk_live_" or "rk_live_" in production, "sk_test_" or "rk_test_" in other environments',
        '18 to 255 characters',
        'alphanumeric characters',
      ],
      fields: [],
    });
    expect(webhook).toMatchObject({ rotationDays: 180, dependsOn: ['stripe_secret_key'] });
    expect(describeTemplate('supabase').secrets[1]!.rules).toEqual([
      'one of: publishable key (starts with "sb_publishable_", 24 to 256 characters, base64url characters); ' +
        'legacy anon JWT (format jwt, claim "role" is "anon")',
    ]);
  });

  it('describes the fields of a JSON secret', () => {
    const [account] = describeTemplate('firebase').secrets.slice(-1);
    expect(account!.rules).toEqual(['a JSON object']);
    expect(account!.fields.slice(0, 2)).toEqual([
      { name: 'type', type: 'string', required: true, exposure: 'server', rules: ['is "service_account"'] },
      {
        name: 'project_id',
        type: 'string',
        required: true,
        exposure: 'public',
        rules: ['6 to 30 characters'],
      },
    ]);
  });

  it('names the templates there are when asked for one that is not', () => {
    expect(() => describeTemplate('stripe-connect')).toThrow(
      /No template named "stripe-connect": the catalog has stripe/,
    );
  });
});
