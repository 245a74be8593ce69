import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { cleanUpBuilds, tempDir } from '../../support/rotation-fixtures';
import { runCli, type CliRun } from './cli-harness';
import { Terminal } from './terminal';

// `keystage distribute key|issue|open|revoke|status`, in process, stdin piped, against the
// local endpoint's Secrets Manager and KMS.

const PLANTED = 'planted-Envelope-Jr5m-do-not-print';
const dir = tempDir('keystage-cli-distribute-');

let fixture: LocalFixture;
let signingKey: string;
/** Everything every run printed: no run prints a value (only `get --plain` does). */
const printed: string[] = [];

beforeAll(async () => {
  fixture = await startLocal();
  const { KeyMetadata } = await fixture
    .kms()
    .send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  signingKey = KeyMetadata!.Arn!;
  await fixture.sm().send(new CreateSecretCommand({ Name: 'prod/billing/db', SecretString: PLANTED }));
  await fixture.sm().send(new CreateSecretCommand({ Name: 'dev/reports/db', SecretString: 'placeholder' }));
});
afterAll(async () => {
  await Terminal.stopServer();
  await fixture.endpoint.close();
  cleanUpBuilds();
});

async function cli(argv: readonly string[]): Promise<CliRun> {
  const run = await runCli(['--endpoint-url', fixture.endpoint.url, ...argv], {
    env: { KEYSTAGE_SIGNING_KEY: signingKey },
  });
  printed.push(run.stdout, run.stderr);
  return run;
}
/** A path in the test directory that nothing has written yet. */
const outPath = (name: string): string => join(dir, `${name}.secret`);
const usesOf = async (id: string): Promise<unknown> => json(await cli(['distribute', 'status', id])).uses;
const json = (run: CliRun): Record<string, unknown> => JSON.parse(run.stdout) as Record<string, unknown>;

async function keyPair(name: string): Promise<string> {
  const out = join(dir, `${name}.key`);
  const run = await cli(['distribute', 'key', '--out', out]);
  expect(run.code).toBe(0);
  return out;
}

async function issue(key: string, name: string, ...extra: string[]): Promise<{ id: string; file: string }> {
  const file = join(dir, `${name}.envelope`);
  const run = await cli([
    'distribute',
    'issue',
    'prod/billing/db',
    '--recipient',
    'reports-job',
    '--public-key',
    `${key}.pub`,
    '--purpose',
    'monthly report',
    '--out',
    file,
    ...extra,
  ]);
  expect(run.code).toBe(0);
  return { id: json(run).id as string, file };
}

describe('keystage distribute key', () => {
  it('writes a 0600 private key file and its public key, printing only the public half', async () => {
    const out = join(dir, 'first.key');
    const run = await cli(['distribute', 'key', '--out', out]);
    expect(run.code).toBe(0);
    const result = json(run) as { publicKey: string; fingerprint: string; publicKeyFile: string };
    expect(result.publicKeyFile).toBe(`${out}.pub`);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const file = JSON.parse(readFileSync(out, 'utf8')) as { privateKey: string; publicKey: string };
    expect(file.publicKey).toBe(result.publicKey);
    expect(readFileSync(`${out}.pub`, 'utf8')).toBe(`${result.publicKey}\n`);
    expect(run.stdout).not.toContain(file.privateKey);

    const again = await cli(['distribute', 'key', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists; nothing was done');
  });
});

describe('keystage distribute issue and open', () => {
  let key: string;
  beforeAll(async () => {
    key = await keyPair('reports');
  });

  it('issues an envelope file with its facts, never the value', async () => {
    const file = join(dir, 'facts.envelope');
    const run = await cli([
      'distribute',
      'issue',
      'prod/billing/db',
      '--recipient',
      'reports-job',
      '--public-key',
      `${key}.pub`,
      '--purpose',
      'monthly report',
      '--expires-in',
      '15m',
      '--max-uses',
      '2',
      '--out',
      file,
    ]);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({
      secretName: 'prod/billing/db',
      recipient: 'reports-job',
      maxUses: 2,
      purpose: 'monthly report',
      out: file,
    });
    expect(readFileSync(file, 'utf8')).toMatch(/^ksenv1\./);
    expect(readFileSync(file, 'utf8')).not.toContain(PLANTED);
  });

  it('opens with the recipient key: --out writes the value to a new 0600 file, at most max-uses times', async () => {
    const { id, file } = await issue(key, 'twice', '--max-uses', '2');
    const out = outPath('twice-first');
    const first = await cli(['distribute', 'open', file, '--key', key, '--out', out]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(json(first)).toEqual({
      distributionId: id,
      secretName: 'prod/billing/db',
      out,
      bytes: PLANTED.length,
    });
    expect(readFileSync(out, 'utf8')).toBe(PLANTED);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(first.stdout).not.toContain(PLANTED);

    const second = await cli(['distribute', 'open', file, '--key', key, '--into', 'dev/reports/db']);
    expect(second.code).toBe(0);
    const stored = await fixture.sm().send(new GetSecretValueCommand({ SecretId: 'dev/reports/db' }));
    expect(stored.SecretString).toBe(PLANTED);
    expect(json(second)).toMatchObject({ into: 'dev/reports/db', versionId: stored.VersionId });

    const third = await cli(['distribute', 'open', file, '--key', key, '--out', outPath('twice-third')]);
    expect(third.code).toBe(6);
    expect(third.stdout).toBe('');
    expect(third.stderr).toMatch(/^keystage: SECRET_REVOKED: /);
    expect(existsSync(outPath('twice-third'))).toBe(false);
  });

  it('refuses an existing --out, or one in no writable directory, before redeeming: no use is spent', async () => {
    const { id, file } = await issue(key, 'undeliverable');
    const taken = outPath('taken');
    writeFileSync(taken, 'someone else’s');
    const refused = await cli(['distribute', 'open', file, '--key', key, '--out', taken]);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toContain(`--out: ${JSON.stringify(taken)} exists; nothing was done`);
    expect(readFileSync(taken, 'utf8')).toBe('someone else’s');

    const nowhere = join(dir, 'no-such-dir', 'db.secret');
    const noDir = await cli(['distribute', 'open', file, '--key', key, '--out', nowhere]);
    expect(noDir).toMatchObject({ code: 2, stdout: '' });
    expect(noDir.stderr).toContain(
      `--out: cannot create ${JSON.stringify(nowhere)} (ENOENT); nothing was done`,
    );
    expect(await usesOf(id)).toBe(0);

    const out = outPath('undeliverable');
    const delivered = await cli(['distribute', 'open', file, '--key', key, '--out', out]);
    expect(delivered.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(PLANTED);
    expect(await usesOf(id)).toBe(1);
  });

  it('refuses another recipient key (exit 10) without spending the use, and says nothing of the value', async () => {
    const { file } = await issue(key, 'other-key');
    const stranger = await keyPair('stranger');
    const out = outPath('other-key');
    const run = await cli(['distribute', 'open', file, '--key', stranger, '--out', out]);
    expect(run.code).toBe(10);
    expect(run.stderr).toMatch(
      /^keystage: DECODE_ERROR: Envelope "[0-9a-f-]+" is sealed to another recipient key/,
    );
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    const mine = await cli(['distribute', 'open', file, '--key', key, '--out', out]);
    expect(mine.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(PLANTED);
  });

  it('detects a changed envelope (exit 10)', async () => {
    const { file } = await issue(key, 'changed');
    const text = readFileSync(file, 'utf8').trim();
    const at = 40;
    writeFileSync(file, text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1));
    const out = outPath('changed');
    const run = await cli(['distribute', 'open', file, '--key', key, '--out', out]);
    expect(run.code).toBe(10);
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('needs exactly one of --out and --into, and spends no use and writes nothing on a --dry-run', async () => {
    const { id, file } = await issue(key, 'once');
    const message =
      'Write the value to a new file with --out FILE, or store it with --into ID, one of the two.';
    const neither = await cli(['distribute', 'open', file, '--key', key]);
    expect(neither).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `keystage: VALIDATION_ERROR: ${message}\n`,
    });
    const out = outPath('once');
    const both = await cli([
      'distribute',
      'open',
      file,
      '--key',
      key,
      '--out',
      out,
      '--into',
      'dev/reports/db',
    ]);
    expect(both).toMatchObject({ code: 2, stdout: '', stderr: `keystage: VALIDATION_ERROR: ${message}\n` });
    const plain = await cli(['distribute', 'open', file, '--key', key, '--plain']);
    expect(plain).toMatchObject({ code: 2, stdout: '' });

    const dry = await cli(['distribute', 'open', file, '--key', key, '--out', out, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(json(dry)).toMatchObject({ dryRun: true, sealedToThisKey: true, id, remainingUses: 1, out });
    expect(existsSync(out)).toBe(false);
    const status = await cli(['distribute', 'status', id]);
    expect(json(status)).toMatchObject({ uses: 0, remainingUses: 1, valid: true });
  });

  it('says in its help that --out writes a file and only get --plain prints a value', async () => {
    const run = await cli(['distribute', 'open', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('$ keystage distribute open db.envelope --key reports.key --out db.secret');
    expect(run.stdout.replace(/\s+/g, ' ')).toContain(
      "keystage get --plain is the one command that prints a secret's value",
    );
    expect(run.stdout).not.toMatch(/^ +--plain/m);
  });

  it('issues nothing with --dry-run, and refuses a bad duration, key file or existing --out', async () => {
    const file = join(dir, 'dry.envelope');
    const argv = [
      'distribute',
      'issue',
      'prod/billing/db',
      '--recipient',
      'reports-job',
      '--public-key',
      `${key}.pub`,
      '--purpose',
      'p',
      '--out',
      file,
    ];
    const dry = await cli([...argv, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(json(dry)).toMatchObject({ dryRun: true, secretName: 'prod/billing/db', maxUses: 1 });
    expect(existsSync(file)).toBe(false);

    const duration = await cli([...argv, '--expires-in', '31d']);
    expect(duration).toMatchObject({ code: 2 });
    expect(duration.stderr).toContain('--expires-in takes minutes, hours or days up to 30d');

    const badKey = join(dir, 'bad.pub');
    writeFileSync(badKey, 'not a key');
    const keyFile = await cli([...argv.slice(0, 6), badKey, ...argv.slice(7)]);
    expect(keyFile.code).toBe(2);
    expect(keyFile.stderr).toContain('is no X25519 public key');

    writeFileSync(file, 'taken');
    const taken = await cli(argv);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('exists; nothing was done');
  });

  it('needs the signing key', async () => {
    const run = await runCli([
      '--endpoint-url',
      fixture.endpoint.url,
      'distribute',
      'status',
      '0b6f0000-0000-4000-8000-000000000000',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--signing-key KEY_ID or KEYSTAGE_SIGNING_KEY');
  });
});

describe('keystage distribute revoke', () => {
  let key: string;
  beforeAll(async () => {
    key = await keyPair('revoked');
  });

  it('shows the distribution and needs --yes off a terminal; --dry-run changes nothing', async () => {
    const { id } = await issue(key, 'to-revoke');
    const dry = await cli(['distribute', 'revoke', id, '--reason', 'laptop lost', '--dry-run']);
    expect(json(dry)).toMatchObject({ dryRun: true, id, revoked: false });
    const unconfirmed = await cli(['distribute', 'revoke', id, '--reason', 'laptop lost']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain(`revoke distribution ${id}:`);
    expect(json(await cli(['distribute', 'status', id]))).toMatchObject({ revoked: false });
  });

  it('revokes with --yes: the envelope never opens again (exit 6)', async () => {
    const { id, file } = await issue(key, 'revoked-for-good', '--max-uses', '5');
    const run = await cli(['distribute', 'revoke', id, '--reason', 'laptop lost', '--yes']);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ id, revoked: true, revokedReason: 'laptop lost', valid: false });
    const out = outPath('revoked-for-good');
    const open = await cli(['distribute', 'open', file, '--key', key, '--out', out]);
    expect(open.code).toBe(6);
    expect(open.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('asks on a terminal: "n" changes nothing and exits 1, "y" revokes', async () => {
    const { id } = await issue(key, 'on-a-terminal');
    const argv = [
      '--endpoint-url',
      fixture.endpoint.url,
      'distribute',
      'revoke',
      id,
      '--reason',
      'rotated out',
    ];
    const env = { KEYSTAGE_SIGNING_KEY: signingKey };
    const declined = await Terminal.open(argv, env);
    try {
      const screen = await declined.waitFor(/Revoke distribution \S+\? \[y\/N\]/);
      expect(screen).toContain('prod/billing/db for reports-job, 0 of 1 uses');
      await declined.send('n', 'Enter');
      expect(await declined.exitCode()).toBe(1);
    } finally {
      await declined.close();
    }
    expect(json(await cli(['distribute', 'status', id]))).toMatchObject({ revoked: false });

    const accepted = await Terminal.open(argv, env);
    try {
      await accepted.waitFor(/\[y\/N\]/);
      await accepted.send('y', 'Enter');
      expect(await accepted.exitCode()).toBe(0);
    } finally {
      await accepted.close();
    }
    expect(json(await cli(['distribute', 'status', id]))).toMatchObject({
      revoked: true,
      revokedReason: 'rotated out',
    });
  });

  it('says an unknown distribution is not found (exit 4)', async () => {
    const run = await cli([
      'distribute',
      'revoke',
      '0b6f0000-0000-4000-8000-000000000000',
      '--reason',
      'x',
      '--yes',
    ]);
    expect(run.code).toBe(4);
  });
});

describe('keystage distribute output', () => {
  it('never printed the planted value, in any run', () => {
    expect(printed.join('\n')).not.toContain(PLANTED);
    expect(printed.length).toBeGreaterThan(20);
  });
});
