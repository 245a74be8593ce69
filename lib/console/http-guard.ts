import type { IncomingMessage, ServerResponse } from 'node:http';

/** The Content-Security-Policy of every response: no inline script or style, nothing from elsewhere. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Headers on every response, pages, JSON, downloads and errors alike. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONSOLE_CSP,
  // Every response may carry a value or a name worth keeping out of caches.
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on a form post.
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** Whether `host` only listens on this machine. */
export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * The Host header values the console answers: the bound host and port, and the loopback
 * names with that port when bound to loopback. Anything else is a request meant for another
 * site (DNS rebinding points an attacker's name at 127.0.0.1) and is refused.
 */
export function allowedHosts(host: string, port: number): ReadonlySet<string> {
  const bound = host.includes(':') ? `[${host}]` : host;
  const names = isLoopback(host) ? [bound, ...LOOPBACK_NAMES] : [bound];
  return new Set(names.map((name) => `${name.toLowerCase()}:${port}`));
}

/** Whether a request's Host header names this console. */
export function hostAllowed(request: IncomingMessage, hosts: ReadonlySet<string>): boolean {
  const given = request.headers.host;
  return typeof given === 'string' && hosts.has(given.toLowerCase());
}

/**
 * Whether a write came from the console's own pages: an Origin header, when the browser
 * sends one, must be the console's. The CSRF token is the main check; this is a second one.
 */
export function originAllowed(request: IncomingMessage, hosts: ReadonlySet<string>): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (!origin.startsWith('http://')) return false;
  return hosts.has(origin.slice('http://'.length).toLowerCase());
}

/** The session cookie's name. */
export const SESSION_COOKIE = 'keystage_console';

/** The Set-Cookie value of a session: not readable by script, never sent cross-site. */
export function sessionCookie(id: string): string {
  return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/`;
}

/** The Set-Cookie value that ends a session in the browser. */
export function expiredCookie(): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
}

/** The session id from the Cookie header, if any. */
export function sessionIdOf(request: IncomingMessage): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at === -1) continue;
    if (pair.slice(0, at).trim() === SESSION_COOKIE) {
      const value = pair.slice(at + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

/** Writes a response with the security headers. */
export function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Readonly<Record<string, string | readonly string[]>> = {},
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': contentType,
    'Content-Length': String(bytes.length),
    ...headers,
  });
  response.end(bytes);
}
