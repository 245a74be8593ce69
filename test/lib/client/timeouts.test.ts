import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DEFAULT_TIMEOUTS, SecretsClient } from '../../../lib/client';
import { ServiceUnavailableError } from '../../../lib/errors';
import { FakeClock } from '../../support/fake-clock';
import { startRecordingServer } from '../../support/recording-http-server';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app/db-AbCdEf';

/** A backend that accepts connections and never writes a byte, like a stopped (SIGSTOP) process. */
async function startHungServer(): Promise<{
  url: string;
  connections: () => number;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A backend that answers GetSecretValue once, then hangs on every request after. */
async function startServerThatHangsAfterOneAnswer(
  value: string,
): Promise<{ url: string; close(): Promise<void> }> {
  let answered = false;
  const server: HttpServer = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (answered) return; // never answers again
      answered = true;
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end(JSON.stringify({ ARN, Name: 'prod/app/db', SecretString: value, VersionId: 'a'.repeat(32) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function timed<T>(promise: Promise<T>): Promise<{ ms: number; outcome: PromiseSettledResult<T> }> {
  const start = performance.now();
  const [outcome] = await Promise.allSettled([promise]);
  return { ms: performance.now() - start, outcome: outcome! };
}

describe('SecretsClient timeouts', () => {
  describe('against a backend that accepts and never answers', () => {
    let hung: Awaited<ReturnType<typeof startHungServer>>;
    beforeEach(async () => {
      hung = await startHungServer();
    });
    afterEach(() => hung.close());

    it('ends a read with a retryable SERVICE_UNAVAILABLE within about the request timeout', async () => {
      const client = new SecretsClient({
        secretsManagerConfig: { endpoint: hung.url, maxAttempts: 1 },
        timeouts: { requestMs: 300 },
        cache: false,
      });
      const { ms, outcome } = await timed(client.get('prod/app/db'));
      expect(outcome.status).toBe('rejected');
      const error = (outcome as PromiseRejectedResult).reason as ServiceUnavailableError;
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true, secretId: 'prod/app/db' });
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(1_500);
    });

    it('ends after the SDK retries (3 attempts by default), each ending at the timeout', async () => {
      const client = new SecretsClient({
        secretsManagerConfig: { endpoint: hung.url },
        timeouts: { requestMs: 200 },
        cache: false,
      });
      const { ms, outcome } = await timed(client.get('prod/app/db'));
      expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'SERVICE_UNAVAILABLE' } });
      expect(hung.connections()).toBe(3);
      expect(ms).toBeLessThan(3 * 200 + 2_000);
    });
  });

  it('serves the stale value while the backend hangs, within maxStale', async () => {
    const server = await startServerThatHangsAfterOneAnswer('the-last-good-value');
    try {
      const clock = new FakeClock();
      const client = new SecretsClient({
        secretsManagerConfig: { endpoint: server.url, maxAttempts: 1 },
        timeouts: { requestMs: 300 },
        clock,
        cache: { ttlMs: 1_000, maxStaleMs: 60_000 },
      });
      await expect(client.get('prod/app/db')).resolves.toBe('the-last-good-value');
      clock.advance(1_001);

      const { ms, outcome } = await timed(client.get('prod/app/db'));

      expect(outcome).toEqual({ status: 'fulfilled', value: 'the-last-good-value' });
      expect(ms).toBeLessThan(1_500);
      expect(client.cache?.stats()).toMatchObject({ staleServes: 1 });
    } finally {
      await server.close();
    }
  });

  describe('defaults', () => {
    it('give keystage’s own clients 3 s to connect and 5 s per attempt', async () => {
      const server = await startRecordingServer({
        'secretsmanager.GetSecretValue': { ARN, Name: 'n', SecretString: 'v', VersionId: 'b'.repeat(32) },
        'TrentService.ListKeys': { Keys: [] },
      });
      try {
        const client = new SecretsClient({
          secretsManagerConfig: { endpoint: server.url },
          kmsConfig: { endpoint: server.url },
        });
        await client.get('n');
        await client.kms.send(new ListKeysCommand({}));
        // The handler resolves its settings on the first request; these are what it used.
        for (const handler of [
          client.secretsManager.config.requestHandler,
          client.kms.config.requestHandler,
        ]) {
          expect((handler as { httpHandlerConfigs(): object }).httpHandlerConfigs()).toMatchObject({
            connectionTimeout: DEFAULT_TIMEOUTS.connectMs,
            requestTimeout: DEFAULT_TIMEOUTS.requestMs,
            socketTimeout: DEFAULT_TIMEOUTS.requestMs,
            throwOnRequestTimeout: true,
          });
        }
      } finally {
        await server.close();
      }
    });

    it('are 3000 and 5000 ms', () => {
      expect(DEFAULT_TIMEOUTS).toEqual({ connectMs: 3_000, requestMs: 5_000 });
    });
  });

  describe('options', () => {
    it.each([
      [{ requestMs: 0 }, 'timeouts.requestMs'],
      [{ connectMs: -1 }, 'timeouts.connectMs'],
      [{ connectMs: Number.NaN }, 'timeouts.connectMs'],
      [{ readMs: 100 }, 'timeouts.readMs'],
    ])('refuse %p, naming %p', (timeouts, field) => {
      expect(() => new SecretsClient({ timeouts: timeouts as never })).toThrow(
        expect.objectContaining({ code: 'VALIDATION_ERROR', field }),
      );
    });

    it('refuse timeouts when every client is the caller’s', () => {
      expect(
        () =>
          new SecretsClient({
            secretsManager: new SecretsManagerClient({}),
            kms: new KMSClient({}),
            ssm: new SSMClient({}),
            timeouts: { requestMs: 1_000 },
          }),
      ).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'timeouts' }));
    });

    it('refuse timeouts together with a requestHandler of their own', () => {
      expect(
        () =>
          new SecretsClient({
            secretsManagerConfig: { requestHandler: { requestTimeout: 1_000 } },
            timeouts: { requestMs: 1_000 },
          }),
      ).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'timeouts' }));
    });

    it('leave a caller’s requestHandler as it is', async () => {
      const server = await startRecordingServer({
        'secretsmanager.GetSecretValue': { ARN, Name: 'n', SecretString: 'v', VersionId: 'c'.repeat(32) },
      });
      try {
        const client = new SecretsClient({
          secretsManagerConfig: { endpoint: server.url, requestHandler: { requestTimeout: 1_234 } },
        });
        await client.get('n');
        const handler = client.secretsManager.config.requestHandler as { httpHandlerConfigs(): object };
        expect(handler.httpHandlerConfigs()).toMatchObject({
          requestTimeout: 1_234,
          connectionTimeout: undefined,
        });
      } finally {
        await server.close();
      }
    });
  });
});
