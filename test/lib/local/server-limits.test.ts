import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { ServerLimits } from '../../../lib/local/http-server';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

const SIGNED =
  'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0';

/** Posts a raw body; resolves with the status and body, or the socket error the client saw. */
function post(
  url: string,
  body: Buffer,
  chunked = false,
  target = 'secretsmanager.CreateSecret',
): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/`,
      {
        method: 'POST',
        headers: {
          'x-amz-target': target,
          'content-type': 'application/x-amz-json-1.1',
          authorization: SIGNED,
          ...(chunked ? {} : { 'content-length': body.length }),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body: text }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    if (chunked) {
      for (let i = 0; i < body.length; i += 65_536) req.write(body.subarray(i, i + 65_536));
      req.end();
    } else req.end(body);
  });
}

/** Opens `count` sockets that send part of a request line and then nothing. */
async function slowSockets(port: number, count: number): Promise<{ sockets: Socket[]; closedBy: number[] }> {
  const sockets: Socket[] = [];
  const closedBy: number[] = [];
  const opened = Date.now();
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
            resolve();
          });
          socket.on('error', () => resolve());
          socket.on('close', () => closedBy.push(Date.now() - opened));
          sockets.push(socket);
        }),
    ),
  );
  return { sockets, closedBy };
}

const waitFor = async (condition: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe('local endpoint limits', () => {
  let local: LocalFixture;
  const start = async (limits: ServerLimits = {}) => {
    local = await startLocal({ limits });
  };
  afterEach(() => local.endpoint.close());

  it('answers a body over the limit with 413, which the client reads, not a reset', async () => {
    await start({ maxBodyBytes: 100_000 });
    const reply = await post(local.endpoint.url, Buffer.alloc(2_000_000, 0x61));
    expect(reply).toMatchObject({ status: 413, body: expect.stringContaining('ValidationException') });
    expect(reply.body).toContain('100000-byte limit');
  });

  it('answers a chunked body that grows past the limit with 413', async () => {
    await start({ maxBodyBytes: 100_000 });
    const reply = await post(local.endpoint.url, Buffer.alloc(1_000_000, 0x61), true);
    expect(reply.status).toBe(413);
  });

  it('gives CloudWatch Logs, whose largest PutLogEvents is a larger body, room that the others do not get', async () => {
    await start();
    const big = Buffer.from(
      JSON.stringify({
        logGroupName: 'g',
        logStreamName: 's',
        logEvents: [{ timestamp: 1, message: 'x'.repeat(2_000_000) }],
      }),
    );
    expect((await post(local.endpoint.url, big)).status).toBe(413);
    const logs = await post(local.endpoint.url, big, false, 'Logs_20140328.PutLogEvents');
    expect(logs.status).toBe(400); // read and answered: the event is too large for AWS, not the body for the server
    expect(logs.body).not.toContain('byte limit');
  });

  it('accepts a body at the limit', async () => {
    await start({ maxBodyBytes: 1_048_576 });
    const value = 'x'.repeat(65_536);
    const body = Buffer.from(JSON.stringify({ Name: 'limit/ok', SecretString: value }));
    expect((await post(local.endpoint.url, body)).status).toBe(200);
  });

  it('closes connections past the cap at once, so 1100 slow clients hold at most the cap', async () => {
    await start({ maxConnections: 256 });
    const { sockets, closedBy } = await slowSockets(local.endpoint.port, 1100);
    await waitFor(() => closedBy.length >= 1100 - 256, 3000);
    expect(closedBy.length).toBeGreaterThanOrEqual(1100 - 256);
    expect(closedBy.length).toBeLessThan(1100);
    for (const socket of sockets) socket.destroy();
  });

  it('closes clients that do not finish their headers in time, and then serves others', async () => {
    await start({ maxConnections: 20, headersTimeoutMs: 300 });
    const { sockets, closedBy } = await slowSockets(local.endpoint.port, 20);
    await waitFor(() => closedBy.length === 20, 5000);
    expect(closedBy).toHaveLength(20);
    expect(Math.min(...closedBy)).toBeGreaterThanOrEqual(250);
    await expect(local.sm().send(new ListSecretsCommand({}))).resolves.toMatchObject({ SecretList: [] });
    for (const socket of sockets) socket.destroy();
  });

  it('closes a client that sends its body too slowly', async () => {
    await start({ requestTimeoutMs: 400, headersTimeoutMs: 300 });
    const closed = await new Promise<number>((resolve) => {
      const started = Date.now();
      const socket = connect(local.endpoint.port, '127.0.0.1', () => {
        socket.write(
          `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nx-amz-target: secretsmanager.ListSecrets\r\nauthorization: ${SIGNED}\r\ncontent-length: 100\r\n\r\n{`,
        );
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Date.now() - started));
    });
    expect(closed).toBeGreaterThanOrEqual(350);
    expect(closed).toBeLessThan(5000);
  });

  it('refuses limits that are not positive integers', async () => {
    await expect(startLocal({ limits: { maxConnections: 0 } })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'limits.maxConnections',
    });
    await start();
  });
});
