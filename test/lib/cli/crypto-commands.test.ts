import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { cleanUpBuilds, tempDir } from '../../support/rotation-fixtures';
import { runCli, type CliRun } from './cli-harness';

// `keystage split` and `keystage combine`, in process, stdin piped, against the local endpoint.

const PLANTED = 'planted-Shamir-Kx4q-do-not-print';
/** A binary value: bytes that are no UTF-8, around a marker the output is checked for. */
const PLANTED_BINARY_MARK = 'planted-Binary-Qz7w-do-not-print';
const PLANTED_BINARY = Buffer.concat([
  Buffer.from([0x00, 0xff, 0xfe, 0x80]),
  Buffer.from(PLANTED_BINARY_MARK),
  Buffer.from([0xc3, 0x28, 0x00]),
]);
const dir = tempDir('keystage-cli-crypto-');

let fixture: LocalFixture;
/** Everything every run printed: no run prints a value (only `get --plain` does). */
const printed: string[] = [];

beforeAll(async () => {
  fixture = await startLocal();
  await fixture.sm().send(new CreateSecretCommand({ Name: 'prod/ops/root-token', SecretString: PLANTED }));
  await fixture
    .sm()
    .send(new CreateSecretCommand({ Name: 'prod/ops/restored', SecretString: 'placeholder' }));
  await fixture
    .sm()
    .send(new CreateSecretCommand({ Name: 'prod/ops/signing-key', SecretBinary: PLANTED_BINARY }));
});
afterAll(async () => {
  await fixture.endpoint.close();
  cleanUpBuilds();
});

async function cli(argv: readonly string[]): Promise<CliRun> {
  const run = await runCli(['--endpoint-url', fixture.endpoint.url, ...argv]);
  printed.push(run.stdout, run.stderr);
  return run;
}
const json = (run: CliRun): Record<string, unknown> => JSON.parse(run.stdout) as Record<string, unknown>;

function outDir(name: string): string {
  const path = join(dir, name);
  mkdirSync(path);
  return path;
}

async function split(
  out: string,
  threshold = 3,
  shares = 5,
  secret = 'prod/ops/root-token',
): Promise<string[]> {
  const run = await cli([
    'split',
    secret,
    '--threshold',
    String(threshold),
    '--shares',
    String(shares),
    '--out-dir',
    out,
    ...(secret === 'prod/ops/signing-key' ? ['--binary'] : []),
  ]);
  expect(run.code).toBe(0);
  return json(run).files as string[];
}

describe('keystage split', () => {
  it('writes one 0600 share file per holder and prints where, never the value or a share', async () => {
    const out = outDir('five');
    const run = await cli([
      'split',
      'prod/ops/root-token',
      '--threshold',
      '3',
      '--shares',
      '5',
      '--out-dir',
      out,
    ]);
    expect(run.code).toBe(0);
    const result = json(run);
    expect(result).toMatchObject({ secret: 'prod/ops/root-token', threshold: 3, count: 5 });
    const files = result.files as string[];
    expect(files).toEqual([1, 2, 3, 4, 5].map((i) => join(out, `prod.ops.root-token.share-${i}-of-5.json`)));
    expect(readdirSync(out).sort()).toEqual(files.map((f) => f.slice(out.length + 1)).sort());
    for (const file of files) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const share = JSON.parse(readFileSync(file, 'utf8')) as { share: string };
      expect(run.stdout).not.toContain(share.share);
    }
    expect(readFileSync(files[0]!, 'utf8')).not.toContain(PLANTED);
  });

  it('writes nothing with --dry-run, and nothing at all when one file exists already', async () => {
    const out = outDir('dry');
    const dry = await cli([
      'split',
      'prod/ops/root-token',
      '--threshold',
      '2',
      '--shares',
      '3',
      '--out-dir',
      out,
      '--dry-run',
    ]);
    expect(dry.code).toBe(0);
    expect(json(dry)).toMatchObject({
      dryRun: true,
      files: [join(out, 'prod.ops.root-token.share-1-of-3.json'), expect.any(String), expect.any(String)],
    });
    expect(readdirSync(out)).toEqual([]);

    writeFileSync(join(out, 'prod.ops.root-token.share-3-of-3.json'), 'someone else’s');
    const refused = await cli([
      'split',
      'prod/ops/root-token',
      '--threshold',
      '2',
      '--shares',
      '3',
      '--out-dir',
      out,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('exists; nothing was done');
    expect(readdirSync(out)).toEqual(['prod.ops.root-token.share-3-of-3.json']);
  });

  it('prints the shares only with --print-shares', async () => {
    const run = await cli([
      'split',
      'prod/ops/root-token',
      '--threshold',
      '2',
      '--shares',
      '2',
      '--print-shares',
    ]);
    expect(run.code).toBe(0);
    const shares = json(run).shares as { share: string; index: number }[];
    expect(shares.map((s) => s.index)).toEqual([1, 2]);
    expect(shares[0]!.share).toMatch(/^ks1-share-/);
    expect(run.stdout).not.toContain(PLANTED);
  });

  it('refuses a threshold above the share count, and neither or both of --out-dir and --print-shares', async () => {
    const high = await cli([
      'split',
      'prod/ops/root-token',
      '--threshold',
      '6',
      '--shares',
      '5',
      '--out-dir',
      dir,
    ]);
    expect(high).toMatchObject({
      code: 2,
      stderr: 'keystage: VALIDATION_ERROR: --threshold takes a whole number from 2 to 5; got "6".\n',
    });
    const neither = await cli(['split', 'prod/ops/root-token', '--threshold', '2', '--shares', '3']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('--out-dir DIR, or print them with --print-shares');
  });
});

describe('keystage combine', () => {
  let files: string[];
  beforeAll(async () => {
    files = await split(outDir('combine'));
  });
  const outPath = (name: string): string => join(dir, name);

  it('writes the value with --out to a new 0600 file, from any threshold of the files in any order, printing only facts', async () => {
    const out = outPath('root-token');
    const run = await cli(['combine', files[4]!, files[0]!, files[2]!, '--out', out]);
    expect(run.code).toBe(0);
    expect(json(run)).toEqual({
      out,
      bytes: PLANTED.length,
      binary: false,
      shares: 3,
      splitId: expect.any(String),
    });
    expect(readFileSync(out, 'utf8')).toBe(PLANTED);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(run.stdout + run.stderr).not.toContain(PLANTED);
  });

  it('writes a binary value with --out as its bytes', async () => {
    const binaryFiles = await split(outDir('binary'), 2, 3, 'prod/ops/signing-key');
    const out = outPath('signing-key.bin');
    const run = await cli(['combine', binaryFiles[2]!, binaryFiles[0]!, '--out', out]);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ out, bytes: PLANTED_BINARY.length, binary: true, shares: 2 });
    expect(readFileSync(out).equals(PLANTED_BINARY)).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('refuses an existing --out, or one in no writable directory, before reading any share', async () => {
    const taken = outPath('taken');
    writeFileSync(taken, 'someone else’s');
    const missingShare = join(dir, 'no-such-share.json');
    const refused = await cli(['combine', missingShare, '--out', taken]);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toContain(`--out: ${JSON.stringify(taken)} exists; nothing was done`);
    expect(readFileSync(taken, 'utf8')).toBe('someone else’s');

    const nowhere = join(dir, 'no-such-dir', 'root-token');
    const noDir = await cli(['combine', files[0]!, files[1]!, files[2]!, '--out', nowhere]);
    expect(noDir).toMatchObject({ code: 2, stdout: '' });
    expect(noDir.stderr).toContain(
      `--out: cannot create ${JSON.stringify(nowhere)} (ENOENT); nothing was done`,
    );

    const notDir = await cli(['combine', files[0]!, files[1]!, files[2]!, '--out', join(taken, 'x')]);
    expect(notDir.code).toBe(2);
    expect(notDir.stderr).toContain('(ENOTDIR); nothing was done');
  });

  it('stores the value with --into, unseen, and checks only with --dry-run', async () => {
    const dry = await cli([
      'combine',
      files[1]!,
      files[3]!,
      files[4]!,
      '--into',
      'prod/ops/restored',
      '--dry-run',
    ]);
    expect(dry.code).toBe(0);
    expect(json(dry)).toMatchObject({ dryRun: true, into: 'prod/ops/restored', bytes: PLANTED.length });
    const before = await fixture.sm().send(new GetSecretValueCommand({ SecretId: 'prod/ops/restored' }));
    expect(before.SecretString).toBe('placeholder');

    const run = await cli(['combine', files[1]!, files[3]!, files[4]!, '--into', 'prod/ops/restored']);
    expect(run.code).toBe(0);
    const after = await fixture.sm().send(new GetSecretValueCommand({ SecretId: 'prod/ops/restored' }));
    expect(after.SecretString).toBe(PLANTED);
    expect(json(run)).toMatchObject({ into: 'prod/ops/restored', versionId: after.VersionId });
  });

  it('writes no file with --out and --dry-run', async () => {
    const out = outPath('dry-root-token');
    const dry = await cli(['combine', files[0]!, files[1]!, files[2]!, '--out', out, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(json(dry)).toMatchObject({ dryRun: true, action: 'combine', out, bytes: PLANTED.length });
    expect(existsSync(out)).toBe(false);
  });

  it('names a damaged share by its position (exit 10), showing nothing of it and writing nothing', async () => {
    const damaged = join(dir, 'damaged.json');
    const file = JSON.parse(readFileSync(files[1]!, 'utf8')) as { share: string };
    const flipped = file.share.slice(0, 40) + (file.share[40] === 'A' ? 'B' : 'A') + file.share.slice(41);
    writeFileSync(damaged, JSON.stringify({ ...file, share: flipped }));
    const out = outPath('from-damaged');
    const run = await cli(['combine', files[0]!, damaged, files[2]!, '--out', out]);
    expect(run.code).toBe(10);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^keystage: DECODE_ERROR: .*shares\[1\]/);
    expect(run.stderr).not.toContain(flipped.slice(10, 60));
    expect(existsSync(out)).toBe(false);
  });

  it('refuses too few shares, files from two splits, and a file that is no share file', async () => {
    const out = outPath('never-written');
    const few = await cli(['combine', files[0]!, files[1]!, '--out', out]);
    expect(few.code).toBe(2);
    expect(few.stderr).toContain('This split needs 3 shares to recover its secret, got 2');
    expect(few.stdout).toBe('');

    const otherSplit = await split(outDir('other'), 2, 2);
    const mixed = await cli(['combine', files[0]!, otherSplit[0]!, files[2]!, '--out', out]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('different splits');

    const junk = join(dir, 'junk.json');
    writeFileSync(junk, JSON.stringify({ hello: 'world' }));
    const notShare = await cli(['combine', junk, '--out', out]);
    expect(notShare.code).toBe(2);
    expect(notShare.stderr).toContain('is not a keystage share file');
    expect(existsSync(out)).toBe(false);
  });

  it('needs exactly one of --out and --into, before reading any file; --plain is no flag of it', async () => {
    const message =
      'Write the value to a new file with --out FILE, or store it with --into ID, one of the two.';
    const neither = await cli(['combine', join(dir, 'missing.json')]);
    expect(neither).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `keystage: VALIDATION_ERROR: ${message}\n`,
    });
    const out = outPath('both');
    const both = await cli([
      'combine',
      files[0]!,
      files[1]!,
      files[2]!,
      '--out',
      out,
      '--into',
      'prod/ops/restored',
    ]);
    expect(both).toMatchObject({ code: 2, stdout: '', stderr: `keystage: VALIDATION_ERROR: ${message}\n` });
    expect(existsSync(out)).toBe(false);

    const plain = await cli(['combine', files[0]!, files[1]!, files[2]!, '--plain']);
    expect(plain).toMatchObject({ code: 2, stdout: '' });
  });

  it('says in its help that --out writes a file and only get --plain prints a value', async () => {
    const run = await cli(['combine', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('$ keystage combine a.json b.json c.json --out root-token');
    expect(run.stdout.replace(/\s+/g, ' ')).toContain(
      "keystage get --plain is the one command that prints a secret's value",
    );
    expect(run.stdout).not.toMatch(/^ +--plain/m);
  });
});

describe('keystage split and combine output', () => {
  it('never printed the planted values, in any run', () => {
    const all = printed.join('\n');
    expect(all).not.toContain(PLANTED);
    expect(all).not.toContain(PLANTED_BINARY_MARK);
    expect(printed.length).toBeGreaterThan(30);
  });
});
