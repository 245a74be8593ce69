import { generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * Well-formed, random sample values for the built-in templates. Built at run time (no key
 * literal in the source for a secret scanner to flag) and random, so a test that looks for
 * one in some output cannot pass by luck.
 */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function from(alphabet: string, length: number): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

export const alnum = (length: number): string => from(ALNUM, length);
export const hex = (length: number): string => from('0123456789abcdef', length);
export const digits = (length: number): string => from('123456789', length);
export const base64url = (length: number): string => from(`${ALNUM}-_`, length);

/** A Stripe key: `sk`, `pk` or `rk`, live or test. */
export const stripeKey = (type: 'sk' | 'pk' | 'rk', mode: 'live' | 'test'): string =>
  `${type}_${mode}_${alnum(32)}`;

export const webhookSecret = (): string => `whsec_${alnum(32)}`;
export const sendgridKey = (): string => `SG.${base64url(22)}.${base64url(43)}`;

const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A signed-looking JWT with this payload (the signature is random: nothing verifies it). */
export const jwt = (payload: object, header: object = { alg: 'HS256', typ: 'JWT' }): string =>
  `${part(header)}.${part(payload)}.${base64url(43)}`;

export const supabaseJwt = (role: 'anon' | 'service_role', exp = 4102444800): string =>
  jwt({ iss: 'supabase', ref: hex(20), role, iat: 1700000000, exp });

export function firebaseServiceAccount(projectId = 'acme-billing'): Record<string, string> {
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return {
    type: 'service_account',
    project_id: projectId,
    private_key_id: hex(40),
    private_key: privateKey,
    client_email: `firebase-adminsdk@${projectId}.iam.gserviceaccount.com`,
    client_id: digits(21),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
  };
}

export const githubOauth = (): Record<string, string> => ({
  client_id: `Ov23li${alnum(14)}`,
  client_secret: hex(40),
  redirect_uri: 'https://billing.example.com/auth/github',
});

export const googleOauth = (): Record<string, string> => ({
  client_id: `${digits(12)}-${hex(32)}.apps.googleusercontent.com`,
  client_secret: `GOCSPX-${base64url(28)}`,
  redirect_uri: 'https://billing.example.com/auth/google',
});

/** Values for every secret of a built-in template, right for a production or another environment. */
export function sampleValues(template: string, production: boolean): Record<string, unknown> {
  const mode = production ? 'live' : 'test';
  switch (template) {
    case 'stripe':
      return {
        stripe_secret_key: stripeKey('sk', mode),
        stripe_publishable_key: stripeKey('pk', mode),
        stripe_webhook_secret: webhookSecret(),
      };
    case 'sendgrid':
      return {
        sendgrid_api_key: sendgridKey(),
        sendgrid_verified_sender: 'billing@example.com',
        sendgrid_template_id: `d-${hex(32)}`,
      };
    case 'twilio':
      return {
        twilio_account_sid: `AC${hex(32)}`,
        twilio_auth_token: hex(32),
        twilio_api_key_sid: `SK${hex(32)}`,
        twilio_api_key_secret: alnum(32),
      };
    case 'supabase':
      return {
        supabase_url: `https://${hex(20)}.supabase.co`,
        supabase_anon_key: supabaseJwt('anon'),
        supabase_service_key: `sb_secret_${base64url(40)}`,
        supabase_db_password: alnum(24),
      };
    case 'firebase':
      return {
        firebase_api_key: `AIza${base64url(35)}`,
        firebase_auth_domain: 'acme-billing.firebaseapp.com',
        firebase_project_id: 'acme-billing',
        firebase_storage_bucket: 'acme-billing.appspot.com',
        firebase_messaging_sender_id: digits(12),
        firebase_app_id: `1:${digits(12)}:web:${hex(16)}`,
        firebase_service_account: firebaseServiceAccount(),
      };
    case 'github-oauth':
      return { github_oauth: githubOauth() };
    case 'google-oauth':
      return { google_oauth: googleOauth() };
    default:
      throw new Error(`no samples for ${template}`);
  }
}

/** `values` without `key`. */
export function without(values: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([name]) => name !== key));
}
