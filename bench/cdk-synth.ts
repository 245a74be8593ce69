import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendResults, machine, median } from './machine';

// `npx cdk synth` of the example app from a warm node_modules, median of 3, with the size of
// each template; the baseline is `cdk synth` of a CDK app with one empty stack, run the same way, which is
// what the CDK CLI and aws-cdk-lib cost before keystage adds anything.

const root = join(__dirname, '..', '..');
const RUNS = Number(process.env.BENCH_SYNTH_RUNS ?? 3);
const TARGET_S = 30;

function synth(app: string | undefined, outdir: string): number {
  const args = ['cdk', 'synth', '--quiet', '--output', outdir, ...(app === undefined ? [] : ['--app', app])];
  const start = process.hrtime.bigint();
  const result = spawnSync('npx', args, {
    cwd: root,
    encoding: 'utf8',
    // No credentials and no network: synthesis must not need them.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), CDK_DISABLE_VERSION_CHECK: '1' },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`cdk synth failed: ${result.stderr.slice(-2000)}`);
  return seconds;
}

function main(): void {
  const work = mkdtempSync(join(tmpdir(), 'keystage-synth-'));
  const empty = `node -e "const cdk = require('aws-cdk-lib'); const app = new cdk.App(); new cdk.Stack(app, 'Empty'); app.synth()"`;
  const ours: number[] = [];
  const base: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    base.push(synth(empty, join(work, `empty-${run}`)));
    ours.push(synth(undefined, join(work, `app-${run}`)));
  }
  const templates = readdirSync(join(work, 'app-0'))
    .filter((file) => file.endsWith('.template.json'))
    .map((file) => ({ file, bytes: statSync(join(work, 'app-0', file)).size }));
  rmSync(work, { recursive: true, force: true });
  const [oursS, baseS] = [median(ours), median(base)];
  const lines = [
    `| npx cdk synth, median of ${RUNS} | s | × baseline | target |`,
    '| --- | --- | --- | --- |',
    `| baseline: a CDK app with one empty stack | ${baseS.toFixed(1)} | 1.0 | |`,
    `| the example app (2 environments, 6 stacks; includes the build) | ${oursS.toFixed(1)} | ${(oursS / baseS).toFixed(1)} | < ${TARGET_S} s ${oursS < TARGET_S ? 'met' : 'MISSED'} |`,
    '',
    '| template | KB |',
    '| --- | --- |',
    ...templates.map((t) => `| ${t.file} | ${(t.bytes / 1024).toFixed(1)} |`),
  ];
  for (const line of lines) process.stdout.write(`${line}\n`);
  appendResults(
    [
      `\n## CDK synth (${new Date().toISOString()})`,
      '',
      `Machine: ${machine()}. \`npx cdk synth --quiet\` from the repository root with no AWS credentials or network; runs alternate between the baseline and the app.`,
      '',
      ...lines,
      '',
    ].join('\n'),
  );
}

main();
