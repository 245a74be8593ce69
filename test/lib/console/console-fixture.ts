import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AuditEntry } from '../../../lib/audit';
import type { AuditRecord } from '../../../lib/audit/reports';
import { SecretsClient } from '../../../lib/client';
import { startConsole, type ConsoleOptions, type RunningConsole } from '../../../lib/console';
import type { Logger } from '../../../lib/observability';
import { rbacPolicy, type Principal } from '../../../lib/policy';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

/** A response as the tests read it. */
export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Call {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'HEAD';
  readonly cookie?: string;
  /** Overrides the Host header (DNS rebinding tests). */
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A form body (x-www-form-urlencoded) or raw text. */
  readonly form?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** One HTTP request to the console with full control of the headers (fetch forbids setting Host). */
export function call(base: string, path: string, options: Call = {}): Promise<Answer> {
  const url = new URL(path, base);
  const body = options.form !== undefined ? new URLSearchParams(options.form).toString() : options.body;
  const headers: Record<string, string> = {
    host: options.host ?? url.host,
    ...(options.cookie === undefined ? {} : { cookie: options.cookie }),
    ...(options.form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
    ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A signed-in browser: its cookie and CSRF token. */
export interface Browser {
  readonly cookie: string;
  readonly csrf: string;
  get(path: string, options?: Call): Promise<Answer>;
  post(path: string, form: Readonly<Record<string, string>>, options?: Call): Promise<Answer>;
}

/** Signs in through a login URL and reads the CSRF token off the first page. */
export async function signIn(loginUrl: string): Promise<Browser> {
  const login = await call(loginUrl, loginUrl);
  const setCookie = login.headers['set-cookie']?.[0];
  if (login.status !== 303 || setCookie === undefined) throw new TypeError(`sign-in failed: ${login.status}`);
  const cookie = setCookie.split(';')[0] ?? '';
  const base = new URL('/', loginUrl).toString();
  const page = await call(base, '/audit', { cookie });
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(page.body)?.[1];
  if (csrf === undefined) throw new TypeError(`no CSRF token on the page: ${page.status}`);
  return {
    cookie,
    csrf,
    get: (path, options = {}) => call(base, path, { cookie, ...options }),
    post: (path, form, options = {}) => call(base, path, { cookie, form: { csrf, ...form }, ...options }),
  };
}

export const person = (id: string, role: string): Principal => ({
  id,
  service: 'console',
  environment: 'console',
  roles: [role],
});

/** A local endpoint with secrets in dev, staging and prod, the RBAC policy and an in-memory audit trail. */
export interface ConsoleWorld {
  readonly local: LocalFixture;
  readonly seed: SecretsClient;
  readonly client: SecretsClient;
  readonly events: AuditRecord[];
  readonly logLines: string[];
  readonly logger: Logger;
  /** Time the console sees: real time plus `offset.ms`. */
  readonly offset: { ms: number };
  start(principal: Principal, options?: Partial<ConsoleOptions>): Promise<RunningConsole>;
  close(): Promise<void>;
}

export const PLANTED = 'planted-Value-7f3a9c1e-do-not-show';
export const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:console-rotate';

export async function consoleWorld(): Promise<ConsoleWorld> {
  const local = await startLocal();
  const events: AuditRecord[] = [];
  const logLines: string[] = [];
  const line = (level: string) => (message: string, fields?: Readonly<Record<string, unknown>>) => {
    logLines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  const logger: Logger = {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  };
  const audit = { record: (entry: AuditEntry) => void events.push(entry) };
  const sdk = {
    secretsManager: local.sm(),
    kms: local.kms(),
    cache: false as const,
    environment: null,
    service: null,
  };
  const seed = new SecretsClient(sdk);
  const policy = rbacPolicy();
  const client = new SecretsClient({ ...sdk, policy, audit, logger });
  await seed.create({
    name: 'api',
    kind: 'json',
    environment: 'dev',
    service: 'web',
    value: { user: 'app', password: PLANTED },
  });
  await seed.put('dev/web/api', { user: 'app', password: `${PLANTED}-2`, host: 'db' });
  await seed.create({
    name: 'token',
    kind: 'generic',
    environment: 'dev',
    service: 'web',
    value: `${PLANTED}-token`,
  });
  await seed.create({
    name: 'db',
    kind: 'generic',
    environment: 'staging',
    service: 'web',
    value: `${PLANTED}-staging`,
  });
  await seed.create({
    name: 'stripe',
    kind: 'generic',
    environment: 'prod',
    service: 'billing',
    value: `${PLANTED}-prod`,
  });
  const offset = { ms: 0 };
  const running: RunningConsole[] = [];
  return {
    local,
    seed,
    client,
    events,
    logLines,
    logger,
    offset,
    async start(principal, options = {}) {
      const started = await startConsole({
        client,
        policy,
        principal,
        auditEvents: events,
        logger,
        clock: { now: () => Date.now() + offset.ms },
        ...options,
      });
      running.push(started);
      return started;
    },
    async close() {
      for (const one of running) await one.close();
      client.close();
      seed.close();
      await local.endpoint.close();
    },
  };
}

/** The attributes of every element with `data-testid="<testId>"` (a regex source), in page order. */
export function elements(body: string, testId: string): Array<Record<string, string>> {
  const pattern = new RegExp(`<[a-z]+\\s[^>]*data-testid="${testId}"[^>]*>`, 'g');
  return [...body.matchAll(pattern)].map((match) => {
    const found: Record<string, string> = {};
    for (const [, name, value] of match[0].matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) {
      if (name !== undefined) found[name] = value ?? '';
    }
    return found;
  });
}

/** The text right inside each element with `data-testid="<testId>"`, up to its first child tag, whitespace collapsed. */
export function texts(body: string, testId: string): string[] {
  const pattern = new RegExp(`<[a-z]+\\s[^>]*data-testid="${testId}"[^>]*>([^<]*)`, 'g');
  return [...body.matchAll(pattern)].map((match) => (match[1] ?? '').replace(/\s+/g, ' ').trim());
}
