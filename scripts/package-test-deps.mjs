// The throwaway projects the package tests (test/package/) install the packed keystage into,
// and what each installs beside it: what a user's project would have. One list, read by the
// tests (--json) and by the warm-up.
//
//   node scripts/package-test-deps.mjs          fill the npm cache with all of it
//   node scripts/package-test-deps.mjs --json   print the list: { project: { package: version } }
//
// The warm-up is the only step that may download (.ci/run runs it before the tests): npm ci
// leaves tarballs in the cache but not the registry metadata an install resolves with, and the
// oldest SDK is nowhere in the repository's lockfile. The tests then install with --offline.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SM = '@aws-sdk/client-secrets-manager';
const KMS = '@aws-sdk/client-kms';

const manifest = (path) => JSON.parse(readFileSync(join(root, path, 'package.json'), 'utf8'));

/** The version of `name` that npm ci installed for the repository. */
const installed = (name) => manifest(join('node_modules', name)).version;

/** The lowest version a peer range admits: `^3.521.0` -> `3.521.0`. */
function floor(range) {
  const match = /^\^(\d+\.\d+\.\d+)$/.exec(range);
  if (match === null) throw new Error(`expected a ^x.y.z peer range, got ${range}`);
  return match[1];
}

/**
 * Each project's dependencies besides keystage. Every required peer is named with an exact
 * version, so that nothing is resolved from registry metadata the cache may not hold.
 */
export function packageTestProjects() {
  const peers = manifest('.').peerDependencies;
  const types = { '@types/node': installed('@types/node') };
  return {
    // A service on the oldest SDK keystage supports: the peer ranges' floor.
    'service-oldest': { [SM]: floor(peers[SM]), [KMS]: floor(peers[KMS]), ...types },
    // The same service on the newest SDK: the one the repository builds and tests with.
    'service-newest': { [SM]: installed(SM), [KMS]: installed(KMS), ...types },
    // The fewest a service that only reads secrets installs: no KMS, no CDK, no drivers.
    'reads-only': { [SM]: installed(SM) },
    // A platform team's CDK app, on the oldest aws-cdk-lib keystage/infra supports and on the newest.
    'cdk-oldest': {
      [SM]: installed(SM),
      'aws-cdk-lib': floor(peers['aws-cdk-lib']),
      constructs: installed('constructs'),
      ...types,
    },
    'cdk-newest': {
      [SM]: installed(SM),
      'aws-cdk-lib': installed('aws-cdk-lib'),
      constructs: installed('constructs'),
      ...types,
    },
  };
}

/** Installs `dependencies` into a fresh directory and removes it: what stays is the npm cache. */
function warm(name, dependencies) {
  const dir = mkdtempSync(join(tmpdir(), `keystage-warm-${name}-`));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, dependencies }));
    const result = spawnSync(
      'npm',
      ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
      { cwd: dir, stdio: ['ignore', 2, 2] },
    );
    if (result.status !== 0) throw new Error(`npm install for ${name} failed (exit ${result.status})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify(packageTestProjects()));
  } else {
    // keystage's own dependencies, which every project installs with the tarball: the versions
    // npm ci installed, so that their registry metadata is in the cache too.
    const own = Object.fromEntries(
      Object.keys(manifest('.').dependencies ?? {}).map((dep) => [dep, installed(dep)]),
    );
    for (const [name, dependencies] of Object.entries({
      ...packageTestProjects(),
      'keystage-dependencies': own,
    })) {
      const started = Date.now();
      warm(name, dependencies);
      const list = Object.entries(dependencies).map(([dep, version]) => `${dep}@${version}`);
      process.stderr.write(`${name}: ${list.join(' ')} in the npm cache (${Date.now() - started} ms)\n`);
    }
  }
}
