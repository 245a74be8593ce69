import { create } from '../../../../lib/client/operations/create';
import { JSON_KINDS } from '../../../../lib/organise/templates/resolve-template';
import { checkTemplateValue } from '../../../../lib/organise/templates/check-value';
import * as builtIn from '../../../../lib/organise/templates/built-in';
import type { CheckContext } from '../../../../lib/organise/templates/formats';
import { TemplateCatalog, defineTemplate } from '../../../../lib/organise/templates/catalog';
import type { Template } from '../../../../lib/organise/templates/template';
import {
  base64url,
  firebaseServiceAccount,
  googleOauth,
  githubOauth,
  hex,
  jwt,
  sampleValues,
  stripeKey,
  supabaseJwt,
} from './samples';

const production: CheckContext = { environment: 'prod', production: true, now: Date.now() };
const staging: CheckContext = { environment: 'staging', production: false, now: Date.now() };
const catalog = TemplateCatalog.builtIn();
const NAMES = ['stripe', 'sendgrid', 'twilio', 'supabase', 'firebase', 'github-oauth', 'google-oauth'];

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Why `value` is wrong for secret `secret` of built-in template `name`. */
function reasons(name: string, secret: string, value: unknown, context = staging): string[] {
  const template = catalog.get(name);
  return checkTemplateValue(
    template,
    template.secrets.find((s) => s.name === secret)!,
    text(value),
    context,
  );
}

describe('built-in templates', () => {
  it('are the seven the product names, in order', () => {
    expect(catalog.templates().map((template) => template.name)).toEqual(NAMES);
    expect(catalog.templates().every((template) => template.source === 'built-in')).toBe(true);
  });

  it.each(Object.entries(builtIn))(
    '%s is a valid user template too (the zod schema accepts it)',
    (_, definition) => {
      const template = defineTemplate(definition);
      expect(template.secrets.map((secret) => secret.name)).toEqual(definition.secrets.map((s) => s.name));
    },
  );

  it('are frozen: a caller cannot change them for the others', () => {
    const stripe = catalog.get('stripe') as { -readonly [K in keyof Template]: Template[K] };
    expect(() => {
      stripe.rotationDays = 1;
    }).toThrow(TypeError);
    expect(Object.isFrozen(stripe.secrets[0]!.rules)).toBe(true);
  });

  describe.each(NAMES)('%s', (name) => {
    it.each([
      ['production', production],
      ['staging', staging],
    ])('accepts well-formed values in %s, and create accepts them for their kinds', (_, context) => {
      const values = sampleValues(name, context.production);
      const template = catalog.get(name);
      for (const secret of template.secrets) {
        expect([
          secret.name,
          checkTemplateValue(template, secret, text(values[secret.name]), context),
        ]).toEqual([secret.name, []]);
        // The kind's own shape check (lib/organise/kinds) agrees with the template's rules.
        expect(() =>
          create.validate({ name: secret.name, kind: secret.kind, value: values[secret.name] as string }),
        ).not.toThrow();
      }
    });

    it('marks server-only secrets server and gives every JSON secret field rules', () => {
      for (const secret of catalog.get(name).secrets) {
        if (JSON_KINDS.includes(secret.kind)) expect(secret.rules.fields).toBeDefined();
        if (/secret|token|service|private|password/.test(secret.name)) expect(secret.exposure).toBe('server');
      }
    });
  });
});

describe('stripe', () => {
  it('flags a live key in staging and a test key in production, naming both prefixes', () => {
    expect(reasons('stripe', 'stripe_secret_key', stripeKey('sk', 'live'))).toEqual([
      'has the production prefix "sk_live_" in non-production environment "staging", which takes "sk_test_" or "rk_test_"',
    ]);
    expect(reasons('stripe', 'stripe_publishable_key', stripeKey('pk', 'test'), production)).toEqual([
      'has the non-production prefix "pk_test_" in production environment "prod", which takes "pk_live_"',
    ]);
  });

  it('accepts restricted keys and refuses a publishable key where the secret key goes', () => {
    expect(reasons('stripe', 'stripe_secret_key', stripeKey('rk', 'test'))).toEqual([]);
    expect(reasons('stripe', 'stripe_secret_key', stripeKey('pk', 'test'))).toEqual([
      'does not start with "sk_test_" or "rk_test_"',
    ]);
  });

  it('names a secret key put in the publishable (public) slot', () => {
    expect(reasons('stripe', 'stripe_publishable_key', stripeKey('sk', 'test'))[0]).toBe(
      'looks like "stripe_secret_key", a server-only secret, in a public slot: never expose it to browsers',
    );
  });

  it('catches a pasted newline and a short key', () => {
    expect(reasons('stripe', 'stripe_secret_key', `${stripeKey('sk', 'test')}\n`)).toEqual([
      'has leading or trailing whitespace (a paste error?)',
    ]);
    expect(reasons('stripe', 'stripe_webhook_secret', 'whsec_abc')).toEqual([
      'is 9 characters long; expected at least 30',
    ]);
  });
});

describe('supabase', () => {
  it('refuses a service_role JWT in the anon slot and says it looks like the service key', () => {
    const found = reasons('supabase', 'supabase_anon_key', supabaseJwt('service_role'));
    expect(found[0]).toBe(
      'looks like "supabase_service_key", a server-only secret, in a public slot: never expose it to browsers',
    );
    expect(found[1]).toContain('legacy anon JWT (is a JWT whose "role" claim is not "anon")');
  });

  it('accepts new publishable and secret keys, and refuses an expired or unsigned JWT', () => {
    expect(reasons('supabase', 'supabase_anon_key', `sb_publishable_${base64url(32)}`)).toEqual([]);
    expect(reasons('supabase', 'supabase_service_key', supabaseJwt('service_role'))).toEqual([]);
    expect(reasons('supabase', 'supabase_anon_key', supabaseJwt('anon', 1_600_000_000))[0]).toContain(
      'is an expired JWT',
    );
    const unsigned = jwt({ role: 'anon' }, { alg: 'none' }).replace(/\.[^.]*$/, '.');
    expect(reasons('supabase', 'supabase_anon_key', unsigned)[0]).toContain('is an unsigned JWT (alg none)');
  });

  it('wants an https project URL', () => {
    expect(reasons('supabase', 'supabase_url', 'http://abc.supabase.co')).toEqual(['is not an https URL']);
  });
});

describe('firebase', () => {
  it('checks the service account shape field by field', () => {
    const account = {
      ...firebaseServiceAccount(),
      type: 'user',
      private_key: 'not a key',
      client_id: undefined,
    };
    expect(reasons('firebase', 'firebase_service_account', account)).toEqual([
      'field "type" is not "service_account"',
      'field "private_key" is not a PEM private key that can be loaded',
      'field "client_id" is missing',
    ]);
    expect(reasons('firebase', 'firebase_service_account', '[1,2]')).toEqual(['is not a JSON object']);
  });

  it('checks the API key shape', () => {
    expect(reasons('firebase', 'firebase_api_key', `AIza${base64url(30)}`)).toEqual([
      'is 34 characters long; expected 39',
    ]);
  });
});

describe('twilio and sendgrid', () => {
  it('checks SIDs, tokens and keys by prefix, length and characters', () => {
    expect(reasons('twilio', 'twilio_account_sid', `SK${hex(32)}`)).toEqual(['does not start with "AC"']);
    expect(reasons('twilio', 'twilio_auth_token', `${hex(31)}z`)).toEqual(['has characters outside hex']);
    expect(reasons('sendgrid', 'sendgrid_api_key', `SG.${base64url(22)}`)).toEqual([
      'is 25 characters long; expected 69',
    ]);
  });
});

describe('github-oauth and google-oauth', () => {
  it('check the client id, secret and redirect URI fields', () => {
    expect(
      reasons('github-oauth', 'github_oauth', { ...githubOauth(), client_secret: 'GOCSPX-short' }),
    ).toEqual([
      'field "client_secret" is 12 characters long; expected 40',
      'field "client_secret" has characters outside hex',
    ]);
    expect(
      reasons('google-oauth', 'google_oauth', { ...googleOauth(), client_id: 'abc.example.com' }, production),
    ).toEqual([
      'field "client_id" does not end with ".apps.googleusercontent.com"',
      'field "client_id" is 15 characters long; expected at least 40',
    ]);
  });

  it('allow an http loopback redirect outside production only', () => {
    const local = { ...githubOauth(), redirect_uri: 'http://localhost:3000/callback' };
    expect(reasons('github-oauth', 'github_oauth', local)).toEqual([]);
    expect(reasons('github-oauth', 'github_oauth', local, production)).toEqual([
      'field "redirect_uri" is not an https redirect URI (production takes https only)',
    ]);
  });
});
