import type { SecretKind } from '../../core';

/**
 * Where a value may go: `public` is safe in a browser or a mobile app (a Stripe publishable
 * key, a Supabase anon key, Firebase's web config); `server` must never leave the server.
 */
export type Exposure = 'public' | 'server';

/** Characters a value may hold after its prefix (and before its suffix). */
export type Charset = 'hex' | 'digits' | 'alphanumeric' | 'base64' | 'base64url' | 'dotted-base64url';

/**
 * Shapes keystage checks in code (no regular expressions from template data):
 * - `jwt`: three base64url parts whose header and payload are JSON objects, not expired;
 * - `url`: an http or https URL; `https-url`: https only;
 * - `redirect-uri`: an OAuth redirect URI: https, or http to a loopback host outside
 *   production, without a fragment;
 * - `email`: an address such as `app@project.iam.gserviceaccount.com`;
 * - `hostname`: a DNS name such as `project.firebaseapp.com`;
 * - `pem-private-key`: a PEM private key that Node's crypto can load.
 */
export type ValueFormat =
  'jwt' | 'url' | 'https-url' | 'redirect-uri' | 'email' | 'hostname' | 'pem-private-key';

/**
 * Prefixes by environment: production takes live keys (`sk_live_`), every other environment
 * test keys (`sk_test_`), so a live key in staging and a test key in production are both flagged.
 */
export interface EnvironmentPrefixes {
  readonly production: readonly string[];
  readonly other: readonly string[];
}

/** Rules for a string value or a string field of a JSON value. Every rule given must hold. */
export interface StringRules {
  /** A name for this form of the value in reasons, e.g. `legacy anon JWT`. @default - none */
  readonly label?: string;
  /** The value starts with one of these: one list for every environment, or lists by environment. @default - any start */
  readonly prefix?: readonly string[] | EnvironmentPrefixes;
  /** The value ends with one of these. @default - any end */
  readonly suffix?: readonly string[];
  /** Length in characters, prefix and suffix included: exact, or a range. @default - any length */
  readonly length?: number | { readonly min?: number; readonly max?: number };
  /** Characters allowed between the prefix and the suffix. @default - any */
  readonly charset?: Charset;
  /** @default - no format check */
  readonly format?: ValueFormat;
  /** For format `jwt`: claims the payload must carry with exactly these values, e.g. `{ role: 'anon' }`. @default - none */
  readonly claims?: Readonly<Record<string, string>>;
}

/** A field of a JSON value. */
export interface FieldRules extends StringRules {
  /** @default 'string' */
  readonly type?: 'string' | 'number' | 'boolean';
  /** A fixed, non-secret value the field must have, e.g. `service_account`. @default - any */
  readonly equals?: string | number | boolean;
  /** @default true */
  readonly required?: boolean;
  /** @default - the secret's exposure */
  readonly exposure?: Exposure;
  /** @default - none */
  readonly description?: string;
}

/** How a value is checked: string rules for a string value, `fields` for a JSON one. */
export interface ValueRules extends StringRules {
  /** The value is a JSON object with these fields (others are allowed). @default - not JSON-checked */
  readonly fields?: Readonly<Record<string, FieldRules>>;
  /** The value matches at least one of these forms (each with its own rules). @default - one form */
  readonly anyOf?: readonly StringRules[];
}

/** One secret of a template, as written: optional parts take their defaults. */
export interface TemplateSecretDefinition {
  /** The secret's own name; stored as `{environment}/{service}/{name}`. */
  readonly name: string;
  readonly kind: SecretKind;
  readonly description: string;
  /** @default 'server' */
  readonly exposure?: Exposure;
  /** A required secret without a value is reported `missing-value`. @default true */
  readonly required?: boolean;
  /**
   * keystage generates the value when none is given: a password (`generic`), a `whsec_`
   * signing secret (`webhook-secret`), or the client secret of an `oauth-client` whose
   * `{ client_id, redirect_uri }` is given. Only for values you choose yourself: a key that a
   * provider issues (Stripe's, Google's) cannot be generated.
   * @default false
   */
  readonly generate?: boolean;
  /** @default - no rules beyond the kind's own shape */
  readonly rules?: ValueRules;
  /** Secrets of the same template this one is used with (recorded with the groups' dependency tags). @default - none */
  readonly dependsOn?: readonly string[];
  /** @default - the template's rotationDays */
  readonly rotationDays?: number;
}

/** A template as written (a built-in, a JSON file, an object). */
export interface TemplateDefinition {
  /** Lower-case letters, digits and `-`, up to 64: it is recorded in the `keystage:template` tag. */
  readonly name: string;
  readonly description: string;
  /** How often the secrets should be rotated, in days. @default 90 */
  readonly rotationDays?: number;
  readonly secrets: readonly TemplateSecretDefinition[];
}

/** One secret of a checked template, defaults filled in. */
export interface TemplateSecret {
  readonly name: string;
  readonly kind: SecretKind;
  readonly description: string;
  readonly exposure: Exposure;
  readonly required: boolean;
  readonly generate: boolean;
  readonly rules: ValueRules;
  readonly dependsOn: readonly string[];
  readonly rotationDays: number;
}

/** A checked, frozen template. */
export interface Template {
  readonly name: string;
  readonly description: string;
  readonly rotationDays: number;
  readonly secrets: readonly TemplateSecret[];
  /** `built-in` for keystage's own, `user` for one loaded from a file or an object. */
  readonly source: 'built-in' | 'user';
}
