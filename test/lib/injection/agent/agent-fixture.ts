import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface AgentAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

export interface AgentRequest {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /** @default '127.0.0.1:<port>' */
  readonly host?: string;
}

/** One request on a connection of its own (so the Host header and connection count are the test's). */
export function call(url: string, path: string, options: AgentRequest = {}): Promise<AgentAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path,
        method: options.method ?? 'GET',
        agent: false,
        headers: { Host: options.host ?? target.host, ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: response.headers,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** A connection that is open and sends nothing, until `close()`. */
export function idleConnection(url: string): Promise<Socket> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname, () => resolve(socket));
    socket.on('error', reject);
  });
}

export const TOKEN = 'agent-test-token-0c9f5e2a';
export const withToken = (extra: Record<string, string> = {}): AgentRequest => ({
  headers: { 'X-Aws-Parameters-Secrets-Token': TOKEN, ...extra },
});
