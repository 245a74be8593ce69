import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Bounds that keep a misbehaving client from exhausting the endpoint. */
export interface ServerLimits {
  /** Largest Secrets Manager or KMS request body; larger ones get 413. @default 1048576 (1 MiB) */
  readonly maxBodyBytes?: number;
  /**
   * Largest CloudWatch Logs request body. The largest PutLogEvents AWS accepts (1 MiB of
   * messages) is a larger body once JSON escapes its messages, so Logs gets more room; the
   * other services keep the small limit, so 256 slow connections cannot hold 2 GiB.
   * @default 8388608 (8 MiB)
   */
  readonly maxLogsBodyBytes?: number;
  /** Open connections at most; more are closed as they arrive. @default 256 */
  readonly maxConnections?: number;
  /** Time for a client to send its request headers. @default 10000 ms */
  readonly headersTimeoutMs?: number;
  /** Time for a client to send its whole request. @default 30000 ms */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. @default 5000 ms */
  readonly keepAliveTimeoutMs?: number;
}

export interface HttpRequest {
  readonly method: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface HttpReply {
  readonly status: number;
  readonly body: object;
  /** Sent as `x-amzn-ErrorType`, which the SDK reads. */
  readonly errorType?: string;
}

/** A body past the limit is drained (up to this much) so the client reads the 413 instead of a reset. */
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

function send(res: ServerResponse, reply: HttpReply, close = false): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    ...(reply.errorType === undefined ? {} : { 'x-amzn-errortype': reply.errorType }),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}

function tooLarge(limit: number, size: number | undefined): HttpReply {
  const message = `The request body is ${size === undefined ? 'larger than' : `${size} bytes; more than`} the ${limit}-byte limit. Send a smaller request.`;
  return { status: 413, body: { __type: 'ValidationException', message }, errorType: 'ValidationException' };
}

/** Reads the body; undefined (after answering 413 and draining) when it is too large. */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    const refuse = (size: number | undefined): void => {
      send(res, tooLarge(limit, size), true);
      let drained = 0;
      req.removeAllListeners('data');
      req.on('data', (chunk: Buffer) => {
        drained += chunk.length;
        if (drained > DRAIN_LIMIT_BYTES) req.destroy();
      });
      resolve(undefined);
    };
    if (Number.isFinite(declared) && declared > limit) return refuse(declared);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return refuse(undefined);
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * An HTTP server on 127.0.0.1 for AWS JSON protocol requests, with the limits above. The
 * handler never sees a body over the limit, and its exceptions are its own to turn into
 * replies (an escaped one becomes a bare 500).
 */
export async function listenBounded(
  port: number,
  limits: ServerLimits,
  handle: (request: HttpRequest) => Promise<HttpReply>,
): Promise<{ readonly server: Server; readonly port: number }> {
  const maxBody = limits.maxBodyBytes ?? 1_048_576;
  const maxLogsBody = limits.maxLogsBodyBytes ?? 8 * 1024 * 1024;
  const bodyLimit = (req: IncomingMessage): number =>
    String(req.headers['x-amz-target'] ?? '').startsWith('Logs_20140328.') ? maxLogsBody : maxBody;
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs ?? 10_000,
      requestTimeout: limits.requestTimeoutMs ?? 30_000,
      keepAliveTimeout: limits.keepAliveTimeoutMs ?? 5_000,
      // How often the server looks for connections past those timeouts.
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs ?? 10_000),
    },
    (req, res) => {
      void (async () => {
        try {
          const body = await readBody(req, res, bodyLimit(req));
          if (body === undefined) return;
          send(res, await handle({ method: req.method ?? 'GET', headers: req.headers, body }));
        } catch {
          if (!res.headersSent) {
            send(res, {
              status: 500,
              body: { __type: 'InternalServiceError', message: 'An internal error occurred.' },
              errorType: 'InternalServiceError',
            });
          } else res.destroy();
        }
      })();
    },
  );
  server.maxConnections = limits.maxConnections ?? 256;
  // Requests the headers timeout closes are answered by Node with 408; a socket error is the
  // client's problem, not the server's.
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
