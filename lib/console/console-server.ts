import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { KeystageError, ValidationError } from '../errors';
import { CONSOLE_SCRIPT, CONSOLE_STYLES } from './assets';
import { ConsoleCore, type Reply } from './console-core';
import { checkConsoleOptions, type ConsoleOptions } from './console-options';
import {
  allowedHosts,
  expiredCookie,
  hostAllowed,
  isLoopback,
  originAllowed,
  send,
  sessionCookie,
  sessionIdOf,
} from './http-guard';
import { errorPage } from './pages/layout';
import { readFields, statusOf, type Fields } from './request-body';
import { route, RouteNotFound } from './routes';
import { SessionStore, tokensEqual, type Session } from './sessions';

/** A running console. */
export interface RunningConsole {
  /** `http://<host>:<port>/` */
  readonly url: string;
  /** The URL that signs in once, within the token's lifetime: print it, open it. */
  readonly loginUrl: string;
  /** A warning to show when the console is reachable from other machines; undefined on loopback. */
  readonly warning: string | undefined;
  /** Another one-time login URL (a second browser, or after the first expired). */
  newLoginUrl(): string;
  /** Stops listening, drops every session and connection. */
  close(): Promise<void>;
}

const ASSETS: Readonly<Record<string, { readonly type: string; readonly body: string }>> = {
  '/assets/console.js': { type: 'text/javascript; charset=utf-8', body: CONSOLE_SCRIPT },
  '/assets/console.css': { type: 'text/css; charset=utf-8', body: CONSOLE_STYLES },
};
const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
/** Paths that answer JSON, errors included: the script reads them. */
const JSON_PATHS = new Set(['/secret/reveal', '/api/rotation']);

/** Why the console cannot listen, as a ValidationError naming the flag to change. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): ValidationError {
  const why =
    error.code === 'EADDRINUSE'
      ? `port ${port} is in use on ${host}: pass another port, or 0 for any free one`
      : error.code === 'EACCES'
        ? `port ${port} needs privileges: pass a port above 1023`
        : `${host} cannot be listened on (${error.code ?? 'unknown error'}): pass an address of this machine, such as 127.0.0.1`;
  return new ValidationError(
    error.code === 'EADDRINUSE' || error.code === 'EACCES' ? 'port' : 'host',
    `The console cannot start: ${why}.`,
    {
      cause: error,
    },
  );
}

/**
 * Starts the web console: server-rendered pages over `SecretsClient` for one principal, who
 * signs in with the one-time `loginUrl`. Loopback by default; every request is checked for
 * its Host header, every write for its CSRF token, and every response carries a strict CSP
 * and `Cache-Control: no-store`.
 * @example
 * const policy = rbacPolicy();
 * const client = new SecretsClient({ policy, audit: new JsonLinesAuditSink({ file: 'audit.jsonl' }) });
 * const console = await startConsole({
 *   client, policy, auditEvents: jsonLinesEvents({ path: 'audit.jsonl' }),
 *   principal: { id: 'ana', service: 'console', environment: 'console', roles: ['devops'] },
 * });
 * process.stdout.write(`${console.loginUrl}\n`);
 */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const checked = checkConsoleOptions(options);
  const core = new ConsoleCore(checked);
  const sessions = new SessionStore(checked.clock, checked.loginTokenTtlMs, checked.sessionIdleMs);
  const logger = checked.logger;
  let hosts: ReadonlySet<string> = new Set();

  const write = (response: ServerResponse, session: Session | undefined, reply: Reply): void => {
    switch (reply.kind) {
      case 'html':
        return send(response, reply.status, HTML, reply.body);
      case 'json':
        return send(response, reply.status, JSON_TYPE, JSON.stringify(reply.body));
      case 'download':
        return send(response, 200, reply.contentType, reply.body, {
          'Content-Disposition': `attachment; filename="${reply.filename}"`,
        });
      case 'redirect':
        if (session !== undefined && reply.flash !== undefined) session.flash = reply.flash;
        return send(response, 303, 'text/plain; charset=utf-8', '', { Location: reply.location });
    }
  };

  const fail = (
    response: ServerResponse,
    json: boolean,
    status: number,
    code: string,
    message: string,
    hint?: string,
  ): void => {
    if (json) send(response, status, JSON_TYPE, JSON.stringify({ error: { code, message } }));
    else send(response, status, HTML, errorPage(status, message, hint));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<number> => {
    if (!hostAllowed(request, hosts)) {
      fail(
        response,
        false,
        421,
        'HOST_REFUSED',
        'This console answers only to its own address.',
        'Open the URL keystage console printed.',
      );
      return 421;
    }
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://console.invalid');
    } catch {
      fail(response, false, 400, 'VALIDATION_ERROR', 'The address is not valid.');
      return 400;
    }
    const json = JSON_PATHS.has(url.pathname);
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') {
      fail(response, json, 405, 'METHOD_NOT_ALLOWED', `${method} is not supported: use GET or POST.`);
      return 405;
    }
    const asset = ASSETS[url.pathname];
    if (method === 'GET' && asset !== undefined) {
      send(response, 200, asset.type, asset.body);
      return 200;
    }
    if (method === 'GET' && url.pathname === '/login') {
      const session = sessions.redeem(url.searchParams.get('token') ?? '');
      if (session === undefined) {
        fail(
          response,
          false,
          401,
          'LOGIN_REFUSED',
          'This login link is used, expired or wrong.',
          'Run keystage console again for a new one.',
        );
        return 401;
      }
      send(response, 303, 'text/plain; charset=utf-8', '', {
        Location: '/',
        'Set-Cookie': sessionCookie(session.id),
      });
      return 303;
    }
    const session = sessions.touch(sessionIdOf(request) ?? '');
    if (session === undefined) {
      fail(
        response,
        json,
        401,
        'SIGN_IN_REQUIRED',
        'You are not signed in, or your session ended after a time without use.',
        'Sign in with a new login URL from keystage console.',
      );
      return 401;
    }
    let fields: Fields | undefined;
    if (method === 'POST') {
      if (!originAllowed(request, hosts)) {
        fail(response, json, 403, 'ORIGIN_REFUSED', 'This request came from another site.');
        return 403;
      }
      try {
        fields = await readFields(request);
      } catch (error) {
        const message =
          error instanceof KeystageError ? error.message : 'The request body could not be read.';
        fail(response, json, 400, 'VALIDATION_ERROR', message);
        return 400;
      }
      const header = request.headers['x-csrf-token'];
      const token = (typeof header === 'string' ? header : undefined) ?? fields.get('csrf') ?? '';
      if (!tokensEqual(token, session.csrfToken)) {
        fail(
          response,
          json,
          403,
          'CSRF_REFUSED',
          'The form is missing its security token or it is stale.',
          'Reload the page and try again.',
        );
        return 403;
      }
    }
    try {
      if (fields !== undefined && url.pathname === '/logout') {
        sessions.end(sessionIdOf(request) ?? '');
        response.setHeader('Set-Cookie', expiredCookie());
        send(
          response,
          200,
          HTML,
          errorPage(200, 'You are signed out.', 'Start the console again for a new login URL.'),
        );
        return 200;
      }
      const reply = await route(core, url, session, fields);
      write(response, session, reply);
      return reply.kind === 'redirect' ? 303 : reply.kind === 'download' ? 200 : reply.status;
    } catch (error) {
      if (error instanceof RouteNotFound) {
        fail(response, json, error.status, 'NOT_FOUND', error.message, error.hint);
        return error.status;
      }
      const status = statusOf(error);
      if (status === 500 || !(error instanceof KeystageError)) {
        // Only the type: a message from outside keystage might hold anything.
        logger?.error('console request failed', {
          path: url.pathname,
          error: error instanceof Error ? error.name : typeof error,
        });
        fail(response, json, 500, 'INTERNAL', 'The console failed on this request. See its log.');
        return 500;
      }
      fail(response, json, status, error.code, error.message);
      return status;
    }
  };

  const server: Server = createServer((request, response) => {
    const started = performance.now();
    void handle(request, response).then(
      (status) => {
        logger?.info('console request', {
          method: request.method,
          path: new URL(request.url ?? '/', 'http://console.invalid').pathname,
          status,
          ms: Math.round(performance.now() - started),
        });
      },
      () => {
        if (!response.headersSent)
          send(response, 500, HTML, errorPage(500, 'The console failed on this request.'));
        else response.destroy();
      },
    );
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    const refused = (error: NodeJS.ErrnoException): void =>
      reject(listenError(error, checked.host, checked.port));
    server.once('error', refused);
    server.listen(checked.port, checked.host, () => {
      server.off('error', refused);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(checked.host, port);
  const shown = checked.host.includes(':') ? `[${checked.host}]` : checked.host;
  const url = `http://${shown}:${port}/`;
  const loginUrl = (): string => `${url}login?token=${sessions.issueLoginToken()}`;
  const warning = isLoopback(checked.host)
    ? undefined
    : `The console listens on ${checked.host}, not loopback: anyone who can reach ${shown}:${port} can try to sign in, and traffic is not encrypted. Use --host 127.0.0.1 (the default) unless you mean it.`;
  if (warning !== undefined) logger?.warn(warning);
  return {
    url,
    loginUrl: loginUrl(),
    warning,
    newLoginUrl: loginUrl,
    close: () =>
      new Promise<void>((resolve) => {
        sessions.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
