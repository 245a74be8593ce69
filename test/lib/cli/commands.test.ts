import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
} from '@aws-sdk/client-secrets-manager';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isWellFormedApiKey } from '../../../lib/generate';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { cleanUpBuilds, tempDir } from '../../support/rotation-fixtures';
import { runCli, type CliRun } from './cli-harness';

// Every core command in process, against the local endpoint, stdin piped: as a script runs them.

const PLANTED = 'planted-Qz7v-do-not-print';
const SECOND = 'planted-second-Vx9k-do-not-print';
const dir = tempDir('keystage-cli-commands-');

/** Values no output may contain; the generated ones are added as tests read them. */
const planted: string[] = [PLANTED, SECOND];

let fixture: LocalFixture;
/** Everything any run printed, except the runs that asked for a value (get --plain). */
const printed: string[] = [];

beforeAll(async () => {
  fixture = await startLocal();
});
afterAll(async () => {
  await fixture.endpoint.close();
  cleanUpBuilds();
});

async function cli(
  argv: readonly string[],
  options: { stdin?: string; value?: boolean } = {},
): Promise<CliRun> {
  const run = await runCli(['--endpoint-url', fixture.endpoint.url, ...argv], options);
  if (options.value !== true) printed.push(run.stdout, run.stderr);
  return run;
}

const json = (run: CliRun): Record<string, unknown> => JSON.parse(run.stdout) as Record<string, unknown>;

async function currentValue(id: string): Promise<string | undefined> {
  return (await fixture.sm().send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
}

async function versionCount(id: string): Promise<number> {
  const { Versions } = await fixture
    .sm()
    .send(new ListSecretVersionIdsCommand({ SecretId: id, IncludeDeprecated: true }));
  return Versions?.length ?? 0;
}

/** A JSON secret with a planted password, and a second version. */
async function plantedSecret(name: string): Promise<string> {
  const id = `prod/billing/${name}`;
  const value = JSON.stringify({ user: 'app', password: PLANTED });
  const created = await cli(
    ['create', name, '-e', 'prod', '--service', 'billing', '--kind', 'json', '--value-file', '-'],
    {
      stdin: value,
    },
  );
  expect(created.code).toBe(0);
  expect((await cli(['put', id], { stdin: JSON.stringify({ user: 'app', password: SECOND }) })).code).toBe(0);
  return id;
}

describe('keystage get', () => {
  let id: string;
  beforeAll(async () => {
    id = await plantedSecret('get-db');
  });

  it('prints the shape of what it read without --plain: format, size, keys, never the value', async () => {
    const run = await cli(['get', id]);
    expect(run.code).toBe(0);
    expect(json(run)).toEqual({
      id,
      format: 'json',
      bytes: Buffer.byteLength(JSON.stringify({ user: 'app', password: SECOND })),
      keys: ['user', 'password'],
    });
    expect(run.stderr).toBe('The value is not shown; keystage get --plain prints it.\n');
  });

  it('prints the value and nothing else with --plain, exactly (no newline off a terminal)', async () => {
    const run = await cli(['get', id, '--plain'], { value: true });
    expect(run).toMatchObject({
      code: 0,
      stdout: JSON.stringify({ user: 'app', password: SECOND }),
      stderr: '',
    });
  });

  it('prints one field with --field, and the previous version with --version-stage', async () => {
    const field = await cli(['get', id, '--plain', '--field', 'password', '--version-stage', 'AWSPREVIOUS'], {
      value: true,
    });
    expect(field).toMatchObject({ code: 0, stdout: PLANTED });
  });

  it('names the fields a JSON secret has when --field names another, and exits 2', async () => {
    const run = await cli(['get', id, '--plain', '--field', 'pasword']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `keystage: VALIDATION_ERROR: Secret "${id}" has no field "pasword"; its fields are user, password.\n`,
    );
  });

  it('exits 4 (SECRET_NOT_FOUND) for a secret that does not exist', async () => {
    const run = await cli(['get', 'prod/billing/missing']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^keystage: SECRET_NOT_FOUND: /);
  });

  it('reads a binary secret with --binary, and says so when it is read as text (exit 10)', async () => {
    expect(
      (await cli(['create', 'signing-key', '-e', 'prod', '--service', 'billing', '--kind', 'symmetric-key']))
        .code,
    ).toBe(0);
    const text = await cli(['get', 'prod/billing/signing-key', '--plain']);
    expect(text.code).toBe(10);
    expect(text.stderr).toMatch(/^keystage: DECODE_ERROR: .*binary.* keystage get --binary reads bytes/);
    const bytes = await cli(['get', 'prod/billing/signing-key', '--binary', '--plain'], { value: true });
    expect({ code: bytes.code, length: bytes.bytes.length }).toEqual({ code: 0, length: 32 });
    expect(json(await cli(['get', 'prod/billing/signing-key', '--binary']))).toMatchObject({
      format: 'binary',
      bytes: 32,
    });
  });

  it('resolves a bare name in the environment -e names (and KEYSTAGE_SERVICE)', async () => {
    const run = await runCli(['--endpoint-url', fixture.endpoint.url, 'get', 'get-db', '-e', 'prod'], {
      env: { KEYSTAGE_SERVICE: 'billing' },
    });
    expect(JSON.parse(run.stdout)).toMatchObject({ id: 'get-db', format: 'json' });
  });
});

describe('keystage put', () => {
  let id: string;
  beforeAll(async () => {
    id = await plantedSecret('put-db');
  });

  it('stores stdin without the trailing newline echo adds, and prints the new version id only', async () => {
    const run = await cli(['put', id], { stdin: `${JSON.stringify({ user: 'app', password: PLANTED })}\n` });
    expect(run.code).toBe(0);
    const result = json(run);
    expect(result).toEqual({ id, versionId: expect.any(String), stages: ['AWSCURRENT'] });
    expect(await currentValue(id)).toBe(JSON.stringify({ user: 'app', password: PLANTED }));
  });

  it('keeps the newline with --keep-newline, and stores a --value-file byte for byte', async () => {
    await cli(['put', 'prod/billing/get-db', '--keep-newline'], { stdin: '{"a":1}\n' });
    expect(await currentValue('prod/billing/get-db')).toBe('{"a":1}\n');
    const file = join(dir, 'value.json');
    writeFileSync(file, `{"password":"${PLANTED}"}\n\n`);
    expect((await cli(['put', id, '--value-file', file])).code).toBe(0);
    expect(await currentValue(id)).toBe(`{"password":"${PLANTED}"}\n\n`);
  });

  it('warns that --value shows the value to shell history and ps, and stores it', async () => {
    const run = await cli(['put', id, '--value', JSON.stringify({ password: SECOND })]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^keystage: warning: --value puts the value in your shell history/);
    expect(run.stdout).not.toContain(SECOND);
  });

  it.each([
    ['an empty stdin', [], '', 'value'],
    ['--value with --value-file', ['--value', 'x', '--value-file', 'y'], '', '--value'],
    ['an unreadable --value-file', ['--value-file', join(dir, 'missing')], '', '--value-file'],
  ])('refuses %s with exit 2 and writes nothing', async (_what, flags, stdin) => {
    const before = await versionCount(id);
    const run = await cli(['put', id, ...flags], { stdin });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^keystage: VALIDATION_ERROR: /);
    expect(await versionCount(id)).toBe(before);
  });

  it('refuses a value over 65,536 bytes before sending it', async () => {
    const run = await cli(['put', id], { stdin: 'x'.repeat(70_000) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('over 65536 bytes');
  });

  it('shows the size and stages with --dry-run, and writes nothing', async () => {
    const before = await versionCount(id);
    const run = await cli(['put', id, '--dry-run'], { stdin: PLANTED });
    expect(json(run)).toMatchObject({
      dryRun: true,
      action: 'put',
      name: id,
      bytes: PLANTED.length,
      stages: ['AWSCURRENT'],
    });
    expect(await versionCount(id)).toBe(before);
  });

  it('writes nothing new when rerun with the same --client-request-token', async () => {
    const token = 'cli-put-token-0123456789abcdef0123456789';
    const value = JSON.stringify({ password: PLANTED });
    const first = await cli(['put', id, '--client-request-token', token], { stdin: value });
    expect(first.code).toBe(0);
    const count = await versionCount(id);
    const again = await cli(['put', id, '--client-request-token', token], { stdin: value });
    expect(json(again).versionId).toBe(json(first).versionId);
    expect(await versionCount(id)).toBe(count);
  });
});

describe('keystage create', () => {
  it('generates the value by kind and never prints it: get --plain is the only way to see it', async () => {
    const run = await cli([
      'create',
      'partner-key',
      '-e',
      'prod',
      '--service',
      'billing',
      '--kind',
      'api-key',
      '--api-key-prefix',
      'acme',
    ]);
    expect(run.code).toBe(0);
    expect(json(run)).toEqual({
      arn: expect.stringContaining(':secret:prod/billing/partner-key-'),
      name: 'prod/billing/partner-key',
      versionId: expect.any(String),
    });
    const key = (await cli(['get', 'prod/billing/partner-key', '--plain'], { value: true })).stdout;
    expect(isWellFormedApiKey(key, { prefix: 'acme' })).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(key);
    // Recorded so the leak check below covers the generated key too.
    planted.push(key);
  });

  it('tags the secret with its environment, service, kind and --tag', async () => {
    await cli([
      'create',
      'tagged',
      '-e',
      'dev',
      '--service',
      'billing',
      '--kind',
      'generic',
      '--tag',
      'owner=team-billing',
    ]);
    const { Tags } = await fixture.sm().send(new DescribeSecretCommand({ SecretId: 'dev/billing/tagged' }));
    expect(Object.fromEntries((Tags ?? []).map((tag) => [tag.Key, tag.Value]))).toMatchObject({
      'keystage:environment': 'dev',
      'keystage:service': 'billing',
      'keystage:type': 'generic',
      owner: 'team-billing',
    });
  });

  it('shows the full name with --dry-run and creates nothing', async () => {
    const run = await cli([
      'create',
      'planned',
      '-e',
      'prod',
      '--service',
      'billing',
      '--kind',
      'generic',
      '--dry-run',
    ]);
    expect(json(run)).toEqual({
      dryRun: true,
      action: 'create',
      name: 'prod/billing/planned',
      kind: 'generic',
      value: 'generated',
      tags: {},
      replicaRegions: [],
    });
    expect((await cli(['describe', 'prod/billing/planned'])).code).toBe(4);
  });

  it.each([
    ['no --kind', ['create', 'x'], /required option '--kind <kind>' not specified/],
    [
      'a kind that does not exist',
      ['create', 'x', '--kind', 'passwd'],
      /Allowed choices are database, api-key/,
    ],
    ['a tag without =', ['create', 'x', '--kind', 'generic', '--tag', 'owner'], /--tag takes KEY=VALUE/],
  ])('refuses %s with exit 2', async (_what, argv, message) => {
    const run = await cli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('keystage list', () => {
  beforeAll(async () => {
    for (const name of ['a', 'b', 'c']) {
      await cli(['create', name, '-e', 'stage', '--service', 'listing', '--kind', 'generic']);
    }
  });

  it('prints one JSON object per line (NDJSON) with --output json', async () => {
    const run = await cli(['list', '-e', 'stage', '--output', 'json']);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { name: string }).name)).toEqual([
      'stage/listing/a',
      'stage/listing/b',
      'stage/listing/c',
    ]);
    expect(run.stderr).toBe('3 secrets\n');
  });

  it('prints a table with --output table, and nothing on stderr with --quiet', async () => {
    const run = await cli(['list', '-e', 'stage', '--output', 'table', '--quiet']);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME\s+KIND\s+STATUS\s+ROTATION\s+CHANGED\s+DELETION$/);
    expect(rows.map((row) => row.split(/\s+/).slice(0, 3))).toEqual([
      ['stage/listing/a', 'generic', 'active'],
      ['stage/listing/b', 'generic', 'active'],
      ['stage/listing/c', 'generic', 'active'],
    ]);
    expect(run.stderr).toBe('');
  });

  it('applies --query to the whole listing, and prints text tab-separated', async () => {
    const run = await cli(['list', '--prefix', 'stage/listing/', '--query', '[].name', '--output', 'text']);
    expect(run.stdout).toBe('stage/listing/a\tstage/listing/b\tstage/listing/c\n');
  });

  it('prints YAML with --output yaml', async () => {
    const run = await cli([
      'list',
      '-e',
      'stage',
      '--query',
      '[].{name: name, kind: keystage.kind}',
      '--output',
      'yaml',
    ]);
    expect(run.stdout).toBe(
      '- name: stage/listing/a\n  kind: generic\n- name: stage/listing/b\n  kind: generic\n- name: stage/listing/c\n  kind: generic\n',
    );
  });

  it('refuses a --query that does not parse before any call (exit 2)', async () => {
    const run = await runCli(['--endpoint-url', 'http://127.0.0.1:9', 'list', '--query', '[?name ==']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^keystage: VALIDATION_ERROR: --query "\[\?name ==" is not a JMESPath expression/,
    );
  });
});

describe('keystage describe, versions and diff', () => {
  let id: string;
  beforeAll(async () => {
    id = await plantedSecret('inspect-db');
  });

  it('describes a secret: versions, tags, kind, no value', async () => {
    const result = json(await cli(['describe', id]));
    expect(result).toMatchObject({ name: id, keystage: { kind: 'json', environment: 'prod' } });
    expect((result.versions as unknown[]).length).toBe(2);
  });

  it('lists the versions newest first as a table', async () => {
    const run = await cli(['versions', id, '--output', 'table']);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^VERSION\s+STAGES\s+CREATED\s+LAST ACCESSED$/);
    expect(lines[1]).toMatch(/\sAWSCURRENT\s/);
    expect(lines[2]).toMatch(/\sAWSPREVIOUS\s/);
  });

  it('diffs AWSPREVIOUS and AWSCURRENT by key, never by value', async () => {
    const result = json(await cli(['diff', id]));
    expect(result).toMatchObject({
      format: 'json',
      changed: true,
      keys: { changed: ['password'], unchanged: 1 },
    });
  });
});

describe('destructive commands off a terminal', () => {
  let id: string;
  beforeAll(async () => {
    id = await plantedSecret('lifecycle-db');
  });

  it.each([
    ['rollback', []],
    ['revoke', ['--reason', 'drill']],
    ['delete', ['--recovery-window-days', '7']],
  ])(
    '%s shows what would change, then refuses without --yes (exit 2) and changes nothing',
    async (command, flags) => {
      const before = await fixture.sm().send(new DescribeSecretCommand({ SecretId: id }));
      const run = await cli([command, id, ...flags]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /keystage: VALIDATION_ERROR: This change needs confirmation and stdin is not a terminal to ask on: pass --yes/,
      );
      expect(run.stderr.split('\n')[0]).toMatch(new RegExp(`${id}`));
      const after = await fixture.sm().send(new DescribeSecretCommand({ SecretId: id }));
      expect(after.VersionIdsToStages).toEqual(before.VersionIdsToStages);
      expect({ tags: after.Tags, deleted: after.DeletedDate }).toEqual({
        tags: before.Tags,
        deleted: before.DeletedDate,
      });
    },
  );

  it('rolls back with --yes: AWSCURRENT moves to the version that was AWSPREVIOUS', async () => {
    const dry = await cli(['rollback', id, '--dry-run']);
    expect(json(dry)).toMatchObject({ dryRun: true, action: 'rollback', name: id });
    expect(await currentValue(id)).toContain(SECOND);
    const run = await cli(['rollback', id, '--yes']);
    expect(run.code).toBe(0);
    expect(json(run)).toEqual({
      arn: expect.any(String),
      name: id,
      ...{ fromVersionId: json(dry).fromVersionId, toVersionId: json(dry).toVersionId },
    });
    expect(await currentValue(id)).toContain(PLANTED);
  });

  it('revokes with --yes: reads exit 6 (SECRET_REVOKED) until restore', async () => {
    expect((await cli(['revoke', id, '--reason', 'drill', '--yes'])).code).toBe(0);
    const refused = await cli(['get', id, '--plain']);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toMatch(/^keystage: SECRET_REVOKED: /);
    expect((await cli(['restore', id])).code).toBe(0);
    expect((await cli(['get', id])).code).toBe(0);
  });

  it('schedules a deletion with --yes: reads exit 8 until undelete', async () => {
    const run = await cli(['delete', id, '--recovery-window-days', '7', '--yes']);
    expect(json(run)).toMatchObject({ name: id, deletionDate: expect.any(String) });
    expect((await cli(['get', id])).code).toBe(8);
    expect((await cli(['undelete', id])).code).toBe(0);
    expect((await cli(['get', id])).code).toBe(0);
  });

  it('refuses --force with --recovery-window-days, and a window outside 7..30', async () => {
    expect((await cli(['delete', id, '--force', '--recovery-window-days', '7', '--yes'])).code).toBe(2);
    const run = await cli(['delete', id, '--recovery-window-days', '3', '--yes']);
    expect(run.stderr).toBe(
      'keystage: VALIDATION_ERROR: --recovery-window-days takes a whole number from 7 to 30; got "3".\n',
    );
  });

  it('tags and untags, and shows the change with --dry-run', async () => {
    expect(json(await cli(['tag', id, 'owner=team-billing', '--dry-run']))).toEqual({
      dryRun: true,
      action: 'tag',
      name: id,
      changes: [{ key: 'owner', to: 'team-billing' }],
    });
    expect((await cli(['tag', id, 'owner=team-billing', 'tier=1'])).code).toBe(0);
    expect((await cli(['untag', id, 'tier'])).code).toBe(0);
    const { Tags } = await fixture.sm().send(new DescribeSecretCommand({ SecretId: id }));
    const tags = Object.fromEntries((Tags ?? []).map((tag) => [tag.Key, tag.Value]));
    expect(tags).toMatchObject({ owner: 'team-billing' });
    expect(tags).not.toHaveProperty('tier');
  });
});

describe('keystage generate', () => {
  it('describes what it would make without --plain, and generates nothing', async () => {
    const run = await cli(['generate', 'password', '--length', '40']);
    expect(json(run)).toEqual({
      kind: 'password',
      length: 40,
      classes: 'lowercase,uppercase,digits,symbols',
      excluded: expect.any(Number),
    });
    expect(run.stderr).toBe('Nothing was generated: --plain prints a value, --put ID stores one.\n');
  });

  it('prints a value with --plain only', async () => {
    const run = await cli(['generate', 'password', '--length', '40', '--no-symbols', '--plain'], {
      value: true,
    });
    expect(run.stdout).toMatch(/^[A-Za-z0-9]{40}$/);
    const key = await cli(['generate', 'symmetric-key', '--plain'], { value: true });
    expect(Buffer.from(key.stdout, 'base64')).toHaveLength(32);
  });

  it('stores a value with --put without showing it', async () => {
    await cli(['create', 'generated', '-e', 'prod', '--service', 'billing', '--kind', 'generic']);
    const id = 'prod/billing/generated';
    const run = await cli(['generate', 'password', '--put', id]);
    expect(json(run)).toMatchObject({ id, versionId: expect.any(String), kind: 'password' });
    const value = await currentValue(id);
    expect(value).toMatch(/^.{32}$/);
    expect(run.stdout + run.stderr).not.toContain(value!);
  });

  it.each([
    ['--plain with --put', ['password', '--plain', '--put', 'x'], '--put'],
    ['a password option for an api-key', ['api-key', '--length', '40'], '--length'],
    ['a kind it does not make', ['passphrase'], 'passphrase'],
  ])('refuses %s (exit 2)', async (_what, argv, named) => {
    const run = await cli(['generate', ...argv]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(named);
  });
});

describe('keystage env copy', () => {
  beforeAll(async () => {
    for (const [service, name] of [
      ['billing', 'db'],
      ['billing', 'stripe'],
      ['search', 'key'],
    ] as const) {
      const run = await cli(
        ['create', name, '-e', 'src', '--service', service, '--kind', 'json', '--value-file', '-'],
        {
          stdin: JSON.stringify({ host: 'db.src.internal', password: PLANTED }),
        },
      );
      expect(run.code).toBe(0);
    }
  });

  it('plans with --dry-run, one NDJSON line per secret, and writes nothing', async () => {
    const run = await cli(['env', 'copy', 'src', 'dst', '--dry-run']);
    const entries = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { action: string; target: string });
    expect(entries.map(({ action, target }) => [action, target])).toEqual([
      ['create', 'dst/billing/db'],
      ['create', 'dst/billing/stripe'],
      ['create', 'dst/search/key'],
    ]);
    expect(run.stderr).toBe('src -> dst: 3 to create, 0 to update, 0 skipped\n');
    expect((await cli(['describe', 'dst/billing/db'])).code).toBe(4);
  });

  it('finishes an interrupted copy when run again, with no second version of what was copied', async () => {
    // The first run got as far as the billing service.
    expect((await cli(['env', 'copy', 'src', 'dst', '--service', 'billing'])).code).toBe(0);
    const copied = await versionCount('dst/billing/db');
    const rerun = await cli([
      'env',
      'copy',
      'src',
      'dst',
      '--transform-values',
      '.src.=.dst.',
      '--output',
      'text',
    ]);
    expect(rerun.code).toBe(2); // the billing secrets would get new values: that asks first
    const finished = await cli(['env', 'copy', 'src', 'dst', '--output', 'text']);
    expect(finished.stdout).toBe(
      'skip\tsrc/billing/db\tdst/billing/db\tunchanged\n' +
        'skip\tsrc/billing/stripe\tdst/billing/stripe\tunchanged\n' +
        'create\tsrc/search/key\tdst/search/key\tNone\n',
    );
    expect(await versionCount('dst/billing/db')).toBe(copied);
    const again = await cli(['env', 'copy', 'src', 'dst']);
    expect(again.stderr).toBe('src -> dst: 0 created, 0 updated, 3 skipped\n');
  });

  it('overwrites with --yes, rewriting values as asked', async () => {
    const run = await cli([
      'env',
      'copy',
      'src',
      'dst',
      '--transform-values',
      '.src.=.dst.',
      '--yes',
      '--quiet',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse((await currentValue('dst/search/key'))!)).toEqual({
      host: 'db.dst.internal',
      password: PLANTED,
    });
  });
});

describe('values on the terminal (RELIABILITY 72)', () => {
  it('no command but get --plain and generate --plain printed a planted or generated value', () => {
    expect(printed.length).toBeGreaterThan(50);
    const all = printed.join('\n');
    for (const value of planted) expect(all).not.toContain(value);
  });
});
