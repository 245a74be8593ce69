import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MemoryReport, MemoryTask } from './import-memory-main';

// RELIABILITY 66: an import's memory stays flat in the number of secrets. Each import runs in
// a process of its own (outside Jest's sandbox, its heap its own), against a Secrets Manager
// that keeps nothing, and reports its peak live heap. Ten times the secrets may add up to 42
// bytes a secret of plan (21 in the plan log, up to 21 in the target fingerprints; measured:
// 30); the import that kept its plan as objects added 1,250 here. The result's list of
// outcomes (report 'secrets', about 200 bytes a secret) is the control: it keeps per secret
// what the counts mode must not, and the test must see it.

const ROOT = join(__dirname, '..', '..', '..', '..');
const SMALL = 1_000;
const LARGE = 10_000;
const run = promisify(execFile);

let dir: string;
let child: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keystage-import-memory-'));
  child = join(dir, 'import-memory.js');
  await build({
    entryPoints: [join(__dirname, 'import-memory-main.ts')],
    outfile: child,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    // The bundle lives outside the project: resolve its packages from the project root.
    banner: {
      js: `require = require('node:module').createRequire(${JSON.stringify(join(ROOT, 'package.json'))});`,
    },
    logLevel: 'error',
  });
}, 60_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

async function measure(secrets: number, report: MemoryTask['report']): Promise<MemoryReport> {
  const task: MemoryTask = { bundle: join(dir, `${report}-${secrets}.bundle`), secrets, report };
  const { stdout } = await run(process.execPath, ['--expose-gc', child, JSON.stringify(task)], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as MemoryReport;
}

it('keeps the same live heap for ten times the secrets with report counts, and not with secrets', async () => {
  const [small, large, listed] = await Promise.all([
    measure(SMALL, 'counts'),
    measure(LARGE, 'counts'),
    measure(LARGE, 'secrets'),
  ]);

  expect([small.created, large.created, listed.created]).toEqual([SMALL, LARGE, LARGE]);
  expect([small.outcomes, large.outcomes, listed.outcomes]).toEqual([SMALL, LARGE, LARGE]);
  const perSecret = (large.liveBytes - small.liveBytes) / (LARGE - SMALL);
  const listedPerSecret = (listed.liveBytes - small.liveBytes) / (LARGE - SMALL);
  expect(perSecret).toBeLessThan(80);
  expect(listedPerSecret).toBeGreaterThan(perSecret + 60);
}, 120_000);
