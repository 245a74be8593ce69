import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendResults, machine } from './machine';

// What a service installs to read secrets with keystage, against what it installs to read them
// with the Secrets Manager client alone: `npm install` into empty projects (the packed tarball
// of this build, the SDK at the versions the repository uses), then the disk usage of
// node_modules (du), its package count and its size compressed (tar.gz: about what a Lambda
// zip of it weighs). Target: at most 1.3 times the SDK client alone.

const root = join(__dirname, '..', '..');
const TARGET = 1.3;
const SM = '@aws-sdk/client-secrets-manager';
const KMS = '@aws-sdk/client-kms';

const version = (name: string): string =>
  (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

function must(command: string, args: readonly string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.slice(-2000)}`);
  return result.stdout;
}

/** Builds (a bench run compiles lib/ too) and packs the repository; the tarball's path. */
function packed(work: string): string {
  must(process.execPath, [join(root, 'scripts', 'build.mjs')], root);
  const [result] = JSON.parse(
    must('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root),
  ) as [{ filename: string }];
  return join(work, result.filename);
}

interface Installed {
  readonly kilobytes: number;
  readonly packages: number;
  readonly compressedKilobytes: number;
  /** node_modules/keystage alone (du) and its file count: disk blocks, so the count matters. */
  readonly keystage?: { readonly kilobytes: number; readonly files: number };
}

function install(work: string, name: string, dependencies: Record<string, string>): Installed {
  const dir = mkdtempSync(join(work, `${name}-`));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, dependencies }));
  must('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], dir);
  const kilobytes = Number(must('du', ['-sk', 'node_modules'], dir).split('\t')[0]);
  const packages = must('npm', ['ls', '--all', '--parseable'], dir).trim().split('\n').length - 1;
  const archive = join(work, `${name}.tgz`);
  must('tar', ['-czf', archive, 'node_modules'], dir);
  const compressedKilobytes = Number(must('du', ['-sk', '--apparent-size', archive], work).split('\t')[0]);
  const own = join(dir, 'node_modules', 'keystage');
  if (!existsSync(own)) return { kilobytes, packages, compressedKilobytes };
  const files = readdirSync(own, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  const keystage = { kilobytes: Number(must('du', ['-sk', own], dir).split('\t')[0]), files: files.length };
  return { kilobytes, packages, compressedKilobytes, keystage };
}

const mb = (kilobytes: number): string => (kilobytes / 1024).toFixed(1);

function main(): void {
  const work = mkdtempSync(join(tmpdir(), 'keystage-install-size-'));
  try {
    const tarball = packed(work);
    const sdk = { [SM]: version(SM) };
    const base = install(work, 'sdk-only', sdk);
    // A service that reads installs keystage and the Secrets Manager client: KMS, CloudWatch
    // Logs and the crypto libraries are optional peers, loaded only by the features that use
    // them, and the root entry's declarations name none of them (test/package checks both).
    const reads = install(work, 'keystage-reads', { keystage: `file:${tarball}`, ...sdk });
    const withKms = install(work, 'keystage-with-kms', {
      keystage: `file:${tarball}`,
      ...sdk,
      [KMS]: version(KMS),
    });
    const ratio = reads.kilobytes / base.kilobytes;
    const row = (label: string, size: Installed, target = '') =>
      `| ${label} | ${mb(size.kilobytes)} | ${size.packages} | ${mb(size.compressedKilobytes)} | ${(size.kilobytes / base.kilobytes).toFixed(3)} | ${target} |`;
    appendResults(
      [
        '',
        `## Install size (${new Date().toISOString()})`,
        '',
        `Machine: ${machine()}. \`npm install\` into empty projects from the npm cache: the tarball \`npm pack\` makes of this build, \`${SM}@${version(SM)}\`, \`${KMS}@${version(KMS)}\`. Before keystage's SDK clients, CDK and drivers became peer dependencies (issue 12) the same service installed 230 MB against 17 MB. Of the reads install, keystage itself is ${mb(reads.keystage?.kilobytes ?? 0)} MB in ${reads.keystage?.files ?? 0} files. Run: \`npx tsc -p tsconfig.bench.json && node dist/bench/install-size.js\`.`,
        '',
        '| a service that reads secrets with | node_modules MB (du) | packages | tar.gz MB | × SDK alone | target |',
        '| --- | --- | --- | --- | --- | --- |',
        row(`the Secrets Manager client alone (baseline)`, base),
        row(
          'keystage + the Secrets Manager client (reads)',
          reads,
          `≤ ${TARGET}× ${ratio <= TARGET ? 'met' : 'missed'}`,
        ),
        row('keystage + the Secrets Manager and KMS clients (data keys, envelopes, signing)', withKms),
        '',
      ].join('\n'),
    );
    process.stdout.write(
      `install size: SDK alone ${mb(base.kilobytes)} MB, keystage for reads ${mb(reads.kilobytes)} MB (${ratio.toFixed(3)}×, target ≤ ${TARGET}×; keystage itself ${mb(reads.keystage?.kilobytes ?? 0)} MB in ${reads.keystage?.files ?? 0} files)\n`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
