import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ValidationError, isKeystageError } from '../../errors';
import type { Principal } from '../../policy/principal';
import { RotationWatcher } from '../watcher';
import { checkAgentOptions, type AgentSettings, type SecretsAgentOptions } from './agent-options';
import { errorReply, textReply, valueReply, type AgentReply } from './agent-reply';
import { routeRequest } from './agent-request';
import { DescribedSecrets } from './described-secrets';
import { SsrfToken } from './ssrf-token';

/** Counters since the agent started. */
export interface AgentStats {
  /** Requests received. */
  readonly requests: number;
  /** Answered 200 with a value. */
  readonly served: number;
  /** Refused before anything was read: Host, connection limit, forwarding, token, method, path, parameters. */
  readonly refused: number;
  /** Reads that failed (not found, denied, the service): answered as the Agent answers them. */
  readonly failed: number;
  /** Open connections now. */
  readonly connections: number;
  /** Secrets described (and watched) now. */
  readonly secrets: number;
}

/** Host headers a request from the workload itself carries; anything else may be DNS rebinding. */
const LOOPBACK_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/i;

/** A User-Agent is kept for the audit trail up to this length. */
const MAX_USER_AGENT = 256;

/**
 * `keystage agent`: an HTTP server on 127.0.0.1 that answers as the AWS Secrets Manager Agent
 * does (`/ping`, `/secretsmanager/get?secretId=`, `/v1/<id>`; the same status codes, messages
 * and GetSecretValue-shaped bodies), so code written for the Agent or the Lambda Parameters
 * and Secrets extension works against it. Every read is a `get` through the client, so its
 * access policy, rate limits and audit trail see each request; unlike the Agent, a rotation
 * the watcher sees is served at once instead of after the TTL. A request must carry the SSRF
 * token and a loopback Host header; a refusal's body never holds a value.
 * @example
 * const agent = await startSecretsAgent({ client: new SecretsClient(), port: 2773 });
 * // curl -H "X-Aws-Parameters-Secrets-Token: $AWS_TOKEN" 'http://localhost:2773/secretsmanager/get?secretId=prod/billing/db'
 * await agent.close();
 */
export class SecretsAgent {
  readonly #server: Server;
  readonly #settings: AgentSettings;
  readonly #token: SsrfToken;
  readonly #secrets: DescribedSecrets;
  readonly #ownWatcher: RotationWatcher | undefined;
  /** Each connection's place in the count when it was accepted, as the Agent counts. */
  readonly #accepted = new WeakMap<Socket, number>();
  #open = 0;
  #requests = 0;
  #served = 0;
  #refused = 0;
  #failed = 0;
  #closed: Promise<void> | undefined;

  private constructor(settings: AgentSettings, token: SsrfToken, ownWatcher: RotationWatcher | undefined) {
    this.#settings = settings;
    this.#token = token;
    this.#ownWatcher = ownWatcher;
    const watcher = settings.watcher === false ? undefined : (settings.watcher ?? ownWatcher);
    this.#secrets = new DescribedSecrets(settings.client, {
      ttlMs: settings.ttlMs,
      maxSecrets: settings.maxSecrets,
      watcher,
      now: settings.now,
      logger: settings.logger,
    });
    this.#server = createServer({ requestTimeout: 60_000, headersTimeout: 10_000 }, (request, response) => {
      void this.#handle(request, response);
    });
    this.#server.on('connection', (socket: Socket) => {
      this.#open += 1;
      this.#accepted.set(socket, this.#open);
      socket.once('close', () => {
        this.#open -= 1;
      });
    });
  }

  /**
   * Starts an agent: checks the options, reads the SSRF token, listens.
   * @example
   * const agent = await startSecretsAgent({ client, port: 0, token: 'file:///var/run/awssmatoken' });
   */
  static async start(options: SecretsAgentOptions): Promise<SecretsAgent> {
    const settings = checkAgentOptions(options);
    const token = SsrfToken.resolve(settings.token, settings.tokenVariables, settings.env);
    const ownWatcher =
      settings.watcher === undefined
        ? new RotationWatcher(settings.client, {
            logger: settings.logger,
            ...(settings.principal === undefined ? {} : { principal: settings.principal }),
          })
        : undefined;
    const agent = new SecretsAgent(settings, token, ownWatcher);
    try {
      await agent.#listen();
    } catch (error) {
      ownWatcher?.close();
      throw error;
    }
    return agent;
  }

  /** The port it listens on (the one picked, for port 0). */
  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : this.#settings.port;
  }

  /** `http://127.0.0.1:<port>` (or `http://[::1]:<port>`). */
  get url(): string {
    const host = this.#settings.host === '::1' ? '[::1]' : this.#settings.host;
    return `http://${host}:${this.port}`;
  }

  stats(): AgentStats {
    return {
      requests: this.#requests,
      served: this.#served,
      refused: this.#refused,
      failed: this.#failed,
      connections: this.#open,
      secrets: this.#secrets.size,
    };
  }

  /** Stops listening, drops open connections, stops watching (and closes a watcher of its own). */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
      this.#secrets.close();
      this.#ownWatcher?.close();
    });
    return this.#closed;
  }

  toJSON(): { url: string; stats: AgentStats } {
    return { url: this.url, stats: this.stats() };
  }

  #listen(): Promise<void> {
    const { port, host } = this.#settings;
    return new Promise((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException) => {
        reject(
          new ValidationError(
            'port',
            `The agent cannot listen on ${host} port ${port} (${error.code ?? error.name}): ` +
              'stop whatever holds it (another agent?) or choose another port.',
            { cause: error },
          ),
        );
      };
      this.#server.once('error', failed);
      this.#server.listen(port, host, () => {
        this.#server.off('error', failed);
        resolve();
      });
    });
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.#requests += 1;
    let reply: AgentReply;
    try {
      reply = await this.#reply(request);
    } catch (error) {
      this.#failed += 1;
      this.#settings.logger.warn('agent: a read failed', {
        code: isKeystageError(error) ? error.code : 'UNEXPECTED',
        secretId: isKeystageError(error) ? error.secretId : undefined,
      });
      reply = errorReply(error);
    }
    if (reply.status === 200 && reply.json) this.#served += 1;
    response.writeHead(reply.status, {
      'Content-Type': reply.json ? 'application/json' : 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    response.end(reply.body);
  }

  /**
   * The checks in the Agent's order (connections, forwarding, token, method, then the path),
   * after one of keystage's own: the Host header must name the loopback interface.
   */
  async #reply(request: IncomingMessage): Promise<AgentReply> {
    const { maxConnections, pathPrefix } = this.#settings;
    if (!LOOPBACK_HOST.test(request.headers.host ?? '')) return this.#refuse(request, 403, 'Bad Host');
    const route = routeRequest(request.url ?? '/', pathPrefix);
    const place = this.#accepted.get(request.socket) ?? Number.POSITIVE_INFINITY;
    // As in the Agent, health checks have two connections beyond the limit.
    if (place > maxConnections + (route.kind === 'ping' ? 2 : 0)) {
      return this.#refuse(request, 429, 'Connection limit exceeded');
    }
    if (route.kind !== 'ping') {
      if (request.headers['x-forwarded-for'] !== undefined) return this.#refuse(request, 400, 'Forwarded');
      if (!this.#hasToken(request)) return this.#refuse(request, 403, 'Bad Token');
    }
    if (request.method !== 'GET') return this.#refuse(request, 405, 'Not allowed');
    switch (route.kind) {
      case 'ping':
        return textReply(200, 'healthy');
      case 'refused':
        return this.#refuse(request, route.refusal.status, route.refusal.message);
      case 'read': {
        const read = await this.#secrets.read(route.query, this.#principalOf(request));
        return valueReply(read.secret, read.version, read.value);
      }
    }
  }

  #hasToken(request: IncomingMessage): boolean {
    let found = false;
    for (const header of this.#settings.tokenHeaders) {
      const presented = request.headers[header];
      // Every header is compared, so the time taken does not say which one matched.
      if (typeof presented === 'string' && this.#token.matches(presented)) found = true;
    }
    return found;
  }

  #refuse(request: IncomingMessage, status: number, message: string): AgentReply {
    this.#refused += 1;
    this.#settings.logger.warn('agent: refused a request', {
      status,
      reason: message,
      method: request.method,
      path: (request.url ?? '').split('?')[0],
      remoteAddress: request.socket.remoteAddress,
    });
    return textReply(status, message);
  }

  /** The configured principal, with this request's source address and User-Agent. */
  #principalOf(request: IncomingMessage): Principal | undefined {
    const { principal } = this.#settings;
    if (principal === undefined) return undefined;
    const sourceIp = request.socket.remoteAddress;
    const userAgent = request.headers['user-agent'];
    return {
      ...principal,
      ...(sourceIp === undefined ? {} : { sourceIp }),
      ...(userAgent === undefined ? {} : { userAgent: userAgent.slice(0, MAX_USER_AGENT) }),
    };
  }
}

/**
 * Starts the sidecar: {@link SecretsAgent.start}.
 * @example
 * const agent = await startSecretsAgent({ client: new SecretsClient(), port: 0, token: 'a-random-token' });
 * const answer = await fetch(`${agent.url}/v1/prod/billing/db`, {
 *   headers: { 'X-Aws-Parameters-Secrets-Token': 'a-random-token' },
 * });
 * const { SecretString } = await answer.json();
 */
export function startSecretsAgent(options: SecretsAgentOptions): Promise<SecretsAgent> {
  return SecretsAgent.start(options);
}
