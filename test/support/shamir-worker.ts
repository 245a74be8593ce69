import { Worker } from 'node:worker_threads';

/**
 * shamir-secret-sharing, run in a worker thread: the same package, outside Jest's sandbox.
 * Jest routes every global lookup of code in the sandbox through a Proxy, which makes the
 * package's field arithmetic (a `Number.isInteger` call per operation) about 80 times slower
 * than in Node; the largest splits would take tens of seconds per test. Mock the package with
 * this in the suites that need them:
 *
 *   jest.mock('shamir-secret-sharing', () => jest.requireActual('../../support/shamir-worker').workerShamir());
 *
 * and call `stopShamirWorker()` in afterAll.
 */

interface Reply {
  readonly id: number;
  readonly value?: Uint8Array | Uint8Array[];
  readonly error?: string;
}

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const shamir = require(workerData.path);
parentPort.on('message', async ({ id, op, args }) => {
  try {
    parentPort.postMessage({ id, value: await shamir[op](...args) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message) });
  }
});
`;

let worker: Worker | undefined;
let next = 0;
const pending = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();

function call(op: 'split' | 'combine', args: unknown[]): Promise<never> {
  if (worker === undefined) {
    worker = new Worker(SOURCE, {
      eval: true,
      workerData: { path: require.resolve('shamir-secret-sharing') },
    });
    worker.unref();
    worker.on('message', ({ id, value, error }: Reply) => {
      const waiting = pending.get(id)!;
      pending.delete(id);
      if (error === undefined) waiting.resolve(value as never);
      else waiting.reject(new Error(error));
    });
  }
  const id = next++;
  // A structured clone turns Uint8Arrays into Uint8Arrays of the worker's realm, as the
  // package's `constructor === Uint8Array` checks need.
  worker.postMessage({ id, op, args });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

/** The package's API, computed in the worker. */
export function workerShamir(): {
  split(secret: Uint8Array, shares: number, threshold: number): Promise<Uint8Array[]>;
  combine(shares: Uint8Array[]): Promise<Uint8Array>;
} {
  return {
    split: (secret, shares, threshold) => call('split', [secret, shares, threshold]),
    combine: (shares) => call('combine', [shares]),
  };
}

/** Ends the worker; the next call starts a new one. */
export async function stopShamirWorker(): Promise<void> {
  const running = worker;
  worker = undefined;
  await running?.terminate();
}
