import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';

/** One line describing where a benchmark ran, for RESULTS.md. */
export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${osType()} ${release()}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Appends a section to bench/RESULTS.md (created with a header the first time). */
export function appendResults(section: string): void {
  const results = join(__dirname, '..', '..', 'bench', 'RESULTS.md');
  if (!existsSync(results))
    writeFileSync(results, '# Benchmark results\n\nAppended by `npm run bench`; newest last.\n');
  appendFileSync(results, section);
}
