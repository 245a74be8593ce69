import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ValidationError } from '../errors';

/**
 * OAuth 2.0 client credentials: the rules for their fields (RFC 6749 §2.2, §3.1.2 and
 * appendix A; RFC 8252 §7.3 for loopback redirects) and a generator for the client secret.
 * Messages name the field and the rule, never the text: these fields travel inside a secret.
 */

/** The JSON an `oauth-client` secret stores. Other keys are allowed and kept. */
export interface OAuthClientJson {
  readonly client_id: string;
  readonly client_secret: string;
  readonly redirect_uri: string;
}

export interface OAuthClientInput {
  /** The client identifier the authorization server issued: 1 to 512 visible ASCII characters. */
  readonly clientId: string;
  /**
   * Where the authorization server sends the user back: an `https` URL without a fragment or
   * user information, or `http` to a loopback host (`localhost`, `127.0.0.1`, `[::1]`) for
   * local development and native apps.
   */
  readonly redirectUri: string;
  /**
   * The client secret, when the authorization server issued one (Google, GitHub and most
   * providers do): 16 to 512 visible ASCII characters, no spaces.
   * @default - generated: 32 random bytes, base64url (43 characters)
   */
  readonly clientSecret?: string;
}

const MAX_CLIENT_ID = 512;
const MAX_REDIRECT_URI = 2048;
/** RFC 6749 VSCHAR (%x20-7E), not starting or ending with a space. */
const CLIENT_ID = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const CLIENT_SECRET = /^[\x21-\x7e]{16,512}$/;
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Random bytes in a generated client secret. */
const SECRET_BYTES = 32;

/**
 * Checks a client identifier.
 * @example
 * checkClientId('123456789.apps.googleusercontent.com', 'oauth.clientId');
 */
export function checkClientId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > MAX_CLIENT_ID || !CLIENT_ID.test(value)) {
    throw new ValidationError(
      field,
      `${field} must be an OAuth client identifier: 1 to ${MAX_CLIENT_ID} visible ASCII characters (spaces only inside).`,
    );
  }
  return value;
}

/**
 * Checks a client secret given by the caller.
 * @example
 * checkClientSecret(issuedSecret, 'oauth.clientSecret');
 */
export function checkClientSecret(value: unknown, field: string): string {
  if (typeof value !== 'string' || !CLIENT_SECRET.test(value)) {
    throw new ValidationError(
      field,
      `${field} must be 16 to 512 visible ASCII characters with no spaces; leave it out to generate one.`,
    );
  }
  return value;
}

/**
 * Checks a redirect URI: `https`, or `http` to a loopback host; no fragment (RFC 6749
 * §3.1.2) and no user information, which would put a credential in every authorization URL.
 * @example
 * checkRedirectUri('https://app.example.com/auth/callback', 'oauth.redirectUri');
 */
export function checkRedirectUri(value: unknown, field: string): string {
  const refuse = (rule: string): never => {
    throw new ValidationError(field, `${field} ${rule}`);
  };
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_REDIRECT_URI) {
    return refuse(`must be a URL of 1 to ${MAX_REDIRECT_URI} characters.`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse('is not an absolute URL such as https://app.example.com/auth/callback.');
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    refuse('uses http: only loopback hosts (localhost, 127.0.0.1, [::1]) may; use https.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') refuse('must be an https URL.');
  if (value.includes('#')) refuse('must not have a fragment (#...).');
  if (url.username !== '' || url.password !== '') refuse('must not carry user information (user:password@).');
  return value;
}

/**
 * An OAuth client's credentials. Logging or serialising it shows everything but the client
 * secret; `toSecretString()` is the one way to get the JSON to store. The secret is not an
 * enumerable property, so `{ ...credentials }` does not copy it out.
 * @example
 * const client = generateOAuthClient({ clientId: 'billing-web', redirectUri: 'https://billing.example.com/callback' });
 * JSON.stringify(client); // {"client_id":"billing-web","client_secret":"[REDACTED]",...}
 */
export class OAuthClientCredentials {
  readonly clientId: string;
  readonly redirectUri: string;
  declare readonly clientSecret: string;

  constructor(clientId: string, clientSecret: string, redirectUri: string) {
    this.clientId = clientId;
    this.redirectUri = redirectUri;
    Object.defineProperty(this, 'clientSecret', { value: clientSecret, enumerable: false });
  }

  /** The JSON to store in Secrets Manager, client secret included. */
  toSecretString(): string {
    return JSON.stringify(this.#shape(this.clientSecret));
  }

  /** The stored shape with the client secret as `[REDACTED]`, for logs. */
  toJSON(): OAuthClientJson {
    return this.#shape('[REDACTED]');
  }

  /** Redacted, like `toJSON()`. */
  [inspect.custom](): string {
    return `OAuthClientCredentials ${inspect(this.toJSON())}`;
  }

  #shape(secret: string): OAuthClientJson {
    return { client_id: this.clientId, client_secret: secret, redirect_uri: this.redirectUri };
  }
}

/**
 * Checks the input of `generateOAuthClient` without generating anything: what `create` does
 * before any I/O.
 * @example
 * checkOAuthClientInput({ clientId: 'billing-web', redirectUri: 'https://billing.example.com/callback' });
 */
export function checkOAuthClientInput(input: unknown, field = 'oauth'): OAuthClientInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError(field, `${field} must be { clientId, redirectUri, clientSecret? }.`);
  }
  const given = input as Partial<Record<keyof OAuthClientInput, unknown>>;
  const checked = {
    clientId: checkClientId(given.clientId, `${field}.clientId`),
    redirectUri: checkRedirectUri(given.redirectUri, `${field}.redirectUri`),
  };
  return given.clientSecret === undefined
    ? checked
    : { ...checked, clientSecret: checkClientSecret(given.clientSecret, `${field}.clientSecret`) };
}

/**
 * OAuth client credentials, every field checked; the client secret is generated from the
 * CSPRNG (32 bytes, base64url) unless the authorization server issued one.
 * @example
 * const client = generateOAuthClient({ clientId: 'billing-web', redirectUri: 'https://billing.example.com/callback' });
 * await secrets.create({ name: 'oauth', kind: 'oauth-client', value: client.toSecretString() });
 */
export function generateOAuthClient(input: OAuthClientInput, field = 'oauth'): OAuthClientCredentials {
  const { clientId, redirectUri, clientSecret } = checkOAuthClientInput(input, field);
  return new OAuthClientCredentials(
    clientId,
    clientSecret ?? randomBytes(SECRET_BYTES).toString('base64url'),
    redirectUri,
  );
}
