import { build } from 'esbuild';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EncryptManyResult, EncryptManyTask, TamperResult, TamperTask } from './envelope-worker-main';

export type { EncryptManyResult, TamperResult } from './envelope-worker-main';

/**
 * keystage's EnvelopeEncryption run in a worker thread, outside Jest's sandbox, for the
 * suites that need many thousands of messages. In the sandbox every global lookup goes
 * through a Proxy, which makes the Encryption SDK about twice as slow, and the SDK's pure
 * JavaScript point decompression (bn.js), which every signed decryption that misses the
 * data-key cache runs, slower still.
 *
 * The worker runs the code under review: test/support/envelope-worker-main.ts and the lib/
 * modules it imports, bundled with esbuild into a temporary directory when the worker
 * starts (never dist/). Packages stay external and resolve from the project, as they would
 * for keystage's own users. KMS calls go to `endpoint` (the local endpoint, which keeps
 * serving from the test's thread while the worker computes).
 * @example
 * const worker = await startEnvelopeWorker(local.endpoint.url);
 * const { messageIds } = await worker.encryptMany({ keyId, context, plaintext: 'x', count: 10 });
 * await worker.close();
 */
export interface EnvelopeWorker {
  /** `count` unsigned messages from one EnvelopeEncryption with a data-key cache. */
  encryptMany(task: EncryptManyTask): Promise<EncryptManyResult>;
  /** One message, then a decryption of it with each byte flipped in turn. */
  tamper(task: TamperTask): Promise<TamperResult>;
  /** Ends the worker and removes the bundle. */
  close(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');

interface Reply {
  readonly id: number;
  readonly value?: unknown;
  readonly error?: string;
}

/** Bundles the worker and starts it; close it in afterAll. */
export async function startEnvelopeWorker(endpoint: string): Promise<EnvelopeWorker> {
  const dir = await mkdtemp(join(tmpdir(), 'keystage-envelope-worker-'));
  const outfile = join(dir, 'envelope-worker.js');
  try {
    await build({
      entryPoints: [join(__dirname, 'envelope-worker-main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      // The bundle lives outside the project: resolve its packages (and keystage's lazy
      // optional peers) from the project root instead of from the temporary directory.
      banner: {
        js: `require = require('node:module').createRequire(${JSON.stringify(join(ROOT, 'package.json'))});`,
      },
      logLevel: 'error',
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const worker = new Worker(outfile, {
    workerData: { endpoint },
    // A larger young generation: the SDK allocates many short-lived buffers and streams per
    // message, and with the default one about a sixth of the time goes to scavenges.
    resourceLimits: { maxYoungGenerationSizeMb: 96 },
  });
  const pending = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  let next = 0;
  const fail = (error: Error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  worker.on('message', ({ id, value, error }: Reply) => {
    const waiting = pending.get(id)!;
    pending.delete(id);
    if (error === undefined) waiting.resolve(value as never);
    else waiting.reject(new Error(`envelope worker: ${error}`));
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`envelope worker exited (${code})`)));
  const call = <T>(op: 'encryptMany' | 'tamper', task: object): Promise<T> => {
    const id = next++;
    worker.postMessage({ id, op, task });
    return new Promise<T>((resolve, reject) => pending.set(id, { resolve, reject }));
  };
  return {
    encryptMany: (task) => call('encryptMany', task),
    tamper: (task) => call('tamper', task),
    close: async () => {
      await worker.terminate();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
