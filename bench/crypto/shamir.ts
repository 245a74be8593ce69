import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { combine, split } from 'shamir-secret-sharing';
import { combineShares, splitSecret } from '../../lib/crypto';
import { median } from '../machine';

// Shamir split knowledge: µs per splitSecret and per combineShares (exactly threshold shares)
// of a 32-byte secret, for a 3-of-5 and a 128-of-255 split. keystage's calls include the
// Encryption SDK message (AES-256-GCM with key commitment) and the share tags; the rows for
// shamir-secret-sharing alone, on the same 32-byte key, show what the field arithmetic costs.

const RUNS = 5;
const SHAPES = [
  { threshold: 3, shares: 5, perRun: 200 },
  { threshold: 128, shares: 255, perRun: 10 },
] as const;

/** Median over RUNS of the mean µs per call, after a warm-up run. */
async function microseconds(perRun: number, call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < perRun; i++) await call();
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    for (let i = 0; i < perRun; i++) await call();
    runs.push(((performance.now() - started) * 1000) / perRun);
  }
  return median(runs);
}

/**
 * Markdown table rows (`| what | µs |`, no header) for Shamir split and combine.
 * @example
 * const rows = await shamirRows();
 */
export async function shamirRows(): Promise<string[]> {
  const secret = randomBytes(32);
  const rows: string[] = [];
  for (const { threshold, shares, perRun } of SHAPES) {
    const shape = `${threshold} of ${shares}, 32-byte secret`;
    const made = await splitSecret(secret, { threshold, shares });
    const enough = made.shares.slice(0, threshold);
    const splitUs = await microseconds(perRun, () => splitSecret(secret, { threshold, shares }));
    const combineUs = await microseconds(perRun, () => combineShares(enough, made.sealed));
    const key = new Uint8Array(secret);
    const points = (await split(key, shares, threshold)).slice(0, threshold);
    const libSplitUs = await microseconds(perRun, () => split(key, shares, threshold));
    const libCombineUs = await microseconds(perRun, () => combine(points));
    rows.push(
      `| keystage splitSecret, ${shape} | ${Math.round(splitUs)} |`,
      `| keystage combineShares, ${shape} (${threshold} shares) | ${Math.round(combineUs)} |`,
      `| shamir-secret-sharing split alone, ${shape} | ${Math.round(libSplitUs)} |`,
      `| shamir-secret-sharing combine alone, ${shape} | ${Math.round(libCombineUs)} |`,
    );
  }
  return rows;
}
