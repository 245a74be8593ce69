import { fork, type ChildProcess } from 'node:child_process';
import { startLocalEndpoint } from '../lib/local';

// The local endpoint in a child process, for benchmarks whose measured event loop must not
// also run the endpoint's work.

/** A running endpoint process and its URL; `stop()` closes the endpoint and lets it exit. */
export interface EndpointProcess {
  readonly url: string;
  stop(): void;
}

/**
 * Forks this module as the endpoint (in memory, an ephemeral loopback port) and waits for its URL.
 * @example
 * const endpoint = await startEndpointProcess();
 * try { await measure(endpoint.url); } finally { endpoint.stop(); }
 */
export async function startEndpointProcess(): Promise<EndpointProcess> {
  const child: ChildProcess = fork(__filename, ['serve'], { stdio: 'inherit' });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.once('exit', (code) => reject(new Error(`the endpoint process exited with ${code}`)));
  });
  return { url, stop: () => child.disconnect() };
}

async function serve(): Promise<void> {
  const endpoint = await startLocalEndpoint({ inMemory: true });
  process.send!({ url: endpoint.url });
  process.on('disconnect', () => void endpoint.close().then(() => process.exit(0)));
}

if (require.main === module && process.argv[2] === 'serve') void serve();
