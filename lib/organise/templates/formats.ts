import { createPrivateKey } from 'node:crypto';
import type { Charset, ValueFormat } from './template';

/** What a check knows about where the value goes. */
export interface CheckContext {
  readonly environment: string;
  /** True when `environment` is a production one (it takes live keys). */
  readonly production: boolean;
  /** Milliseconds since the epoch, for expiry. */
  readonly now: number;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The characters of each charset, as sets: checking is one lookup per character. */
const CHARSETS: Readonly<Record<Charset, ReadonlySet<string>>> = Object.freeze({
  hex: new Set('0123456789abcdefABCDEF'),
  digits: new Set('0123456789'),
  alphanumeric: new Set(BASE64URL.slice(0, 62)),
  base64: new Set(`${BASE64URL.slice(0, 62)}+/=`),
  base64url: new Set(BASE64URL),
  'dotted-base64url': new Set(`${BASE64URL}.`),
});

/** True when every character of `text` is in `charset`. */
export function inCharset(text: string, charset: Charset): boolean {
  const allowed = CHARSETS[charset];
  for (const character of text) if (!allowed.has(character)) return false;
  return true;
}

/** JSON from base64url text, or undefined; nothing of the text is kept or shown. */
function decodeJsonPart(part: string): unknown {
  if (part.length === 0 || !inCharset(part, 'base64url')) return undefined;
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JWT's structure, algorithm, expiry and required claims; reasons name claims, never their values. */
function checkJwt(value: string, context: CheckContext, claims: Readonly<Record<string, string>>): string[] {
  const parts = value.split('.');
  if (parts.length !== 3) return ['is not a JWT (three base64url parts separated by dots)'];
  const header = decodeJsonPart(parts[0]!);
  const payload = decodeJsonPart(parts[1]!);
  if (!isObject(header) || typeof header.alg !== 'string' || !isObject(payload)) {
    return ['is not a JWT: its header or payload is not base64url JSON'];
  }
  if (header.alg.toLowerCase() === 'none' || parts[2]!.length === 0) return ['is an unsigned JWT (alg none)'];
  const reasons: string[] = [];
  if (typeof payload.exp === 'number' && payload.exp * 1000 <= context.now) reasons.push('is an expired JWT');
  for (const [claim, expected] of Object.entries(claims)) {
    if (payload[claim] !== expected) {
      reasons.push(`is a JWT whose ${JSON.stringify(claim)} claim is not ${JSON.stringify(expected)}`);
    }
  }
  return reasons;
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function checkUrl(
  value: string,
  format: 'url' | 'https-url' | 'redirect-uri',
  context: CheckContext,
): string[] {
  const url = /\s/.test(value) ? undefined : parseUrl(value);
  if (url === undefined) return ['is not a URL'];
  const reasons: string[] = [];
  if (url.username !== '' || url.password !== '') reasons.push('is a URL that carries credentials');
  if (format === 'url' && url.protocol !== 'https:' && url.protocol !== 'http:') {
    reasons.push('is not an http or https URL');
  }
  if (format === 'https-url' && url.protocol !== 'https:') reasons.push('is not an https URL');
  if (format === 'redirect-uri') {
    // RFC 6749 §3.1.2 (no fragment) and RFC 8252 §7.3 (plain http only to a loopback host).
    if (url.hash !== '') reasons.push('is a redirect URI with a fragment');
    const loopbackHttp = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
    if (url.protocol !== 'https:' && !(loopbackHttp && !context.production)) {
      reasons.push(
        context.production
          ? 'is not an https redirect URI (production takes https only)'
          : 'is not an https redirect URI (plain http only to localhost, 127.0.0.1 or [::1])',
      );
    }
  }
  return reasons;
}

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function isHostname(value: string): boolean {
  const labels = value.split('.');
  return value.length <= 253 && labels.length >= 2 && labels.every((label) => LABEL.test(label));
}

function isEmail(value: string): boolean {
  const at = value.indexOf('@');
  if (value.length > 254 || at < 1 || at !== value.lastIndexOf('@')) return false;
  const local = value.slice(0, at);
  return local.length <= 64 && !/[\s"(),:;<>[\\\]]/.test(local) && isHostname(value.slice(at + 1));
}

function isPrivateKey(value: string): boolean {
  if (!value.startsWith('-----BEGIN ') || !value.includes('PRIVATE KEY-----')) return false;
  try {
    createPrivateKey(value);
    return true;
  } catch {
    // The key itself decides; its parse error is never shown (it can quote the input).
    return false;
  }
}

/**
 * Why `value` is not of `format`, in phrases about the value that never quote it; empty
 * when it is.
 */
export function checkFormat(
  value: string,
  format: ValueFormat,
  context: CheckContext,
  claims: Readonly<Record<string, string>> = {},
): string[] {
  switch (format) {
    case 'jwt':
      return checkJwt(value, context, claims);
    case 'url':
    case 'https-url':
    case 'redirect-uri':
      return checkUrl(value, format, context);
    case 'email':
      return isEmail(value) ? [] : ['is not an email address'];
    case 'hostname':
      return isHostname(value) ? [] : ['is not a host name such as project.firebaseapp.com'];
    case 'pem-private-key':
      return isPrivateKey(value) ? [] : ['is not a PEM private key that can be loaded'];
  }
}
