import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly target: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/**
 * An HTTP server on 127.0.0.1 that answers AWS JSON 1.1 calls from a table keyed by
 * `X-Amz-Target`, and records what it received: enough to see where the SDK sends requests.
 */
export async function startRecordingServer(
  answers: Readonly<Record<string, unknown>>,
): Promise<{ url: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = req.headers['x-amz-target'] as string | undefined;
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ target, headers: req.headers, body: text === '' ? undefined : JSON.parse(text) });
      const answer = target === undefined ? undefined : answers[target];
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (answer === undefined) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'UnknownOperationException', message: `no answer for ${target}` }));
        return;
      }
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
