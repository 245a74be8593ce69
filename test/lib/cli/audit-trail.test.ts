import { DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { tempDir } from '../../support/rotation-fixtures';
import { runCli, type CliRun } from './cli-harness';

// The CLI's own calls in an audit trail (--audit-file, --audit-log-group): an operator's reads
// and changes are recorded as the library records a service's, as the operator who ran them.

const PLANTED = 'planted-Tr4il-do-not-print';
const dir = tempDir('keystage-cli-audit-');
let fixture: LocalFixture;

beforeAll(async () => {
  fixture = await startLocal();
});
afterAll(() => fixture.endpoint.close());

function cli(argv: readonly string[], env: NodeJS.ProcessEnv = {}, stdin?: string): Promise<CliRun> {
  return runCli(['--endpoint-url', fixture.endpoint.url, ...argv], {
    env: { KEYSTAGE_PRINCIPAL: 'ana', ...env },
    ...(stdin === undefined ? {} : { stdin }),
  });
}

const eventsIn = (file: string): Array<Record<string, unknown>> =>
  readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('--audit-file', () => {
  it('records each run as the operator, continues the chain across runs, and holds no value', async () => {
    const file = join(dir, 'trail.jsonl');
    const created = await cli(
      [
        '--audit-file',
        file,
        'create',
        'db',
        '-e',
        'prod',
        '--service',
        'ops',
        '--kind',
        'generic',
        '--value-file',
        '-',
      ],
      {},
      PLANTED,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect((await cli(['--audit-file', file, 'get', 'prod/ops/db', '--plain'])).stdout).toBe(PLANTED);
    // The variable names the trail as the flag does.
    const denied = await cli(['get', 'prod/ops/none'], { KEYSTAGE_AUDIT_FILE: file });
    expect(denied.code).toBe(4);

    const events = eventsIn(file);
    expect(events.map((e) => [e.action, e.secret_name, e.success, e.user_id])).toEqual([
      ['create', 'prod/ops/db', true, 'ana'],
      ['get', 'prod/ops/db', true, 'ana'],
      ['get', 'prod/ops/none', false, 'ana'],
    ]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(PLANTED);

    const verified = await cli(['audit', 'verify', '--from-file', file]);
    expect(verified.code).toBe(0);
  });

  it('refuses two trails at once, before any call', async () => {
    const run = await cli(['--audit-file', join(dir, 'a.jsonl'), '--audit-log-group', '/g', 'list']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Give one audit trail');
  });
});

describe('distribute with an audit trail', () => {
  it('records the issue and the open beside the calls, as the operator', async () => {
    const file = join(dir, 'distribution.jsonl');
    const { KeyMetadata } = await fixture
      .kms()
      .send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    const env = { KEYSTAGE_SIGNING_KEY: KeyMetadata!.Arn!, KEYSTAGE_AUDIT_FILE: file };
    const key = join(dir, 'reports.key');
    const envelope = join(dir, 'db.envelope');
    expect((await cli(['distribute', 'key', '--out', key], env)).code).toBe(0);
    const issued = await cli(
      [
        'distribute',
        'issue',
        'prod/ops/db',
        '--recipient',
        'reports-job',
        '--public-key',
        `${key}.pub`,
      ].concat(['--purpose', 'audit test', '--out', envelope]),
      env,
    );
    expect(issued.stderr).toBe('');
    const opened = await cli(
      ['distribute', 'open', envelope, '--key', key, '--out', join(dir, 'db.value')],
      env,
    );
    expect(opened.stderr).toBe('');

    const types = eventsIn(file).map((e) => [e.event_type, e.user_id]);
    expect(types).toEqual(
      expect.arrayContaining([
        ['secret_distribution_issued', 'ana'],
        ['secret_distribution_opened', expect.anything()],
      ]),
    );
    expect(readFileSync(file, 'utf8')).not.toContain(PLANTED);
    expect((await cli(['audit', 'verify', '--from-file', file])).code).toBe(0);
  });
});

describe('--audit-log-group', () => {
  it("writes the run's events to a stream of the group, created when missing", async () => {
    const run = await cli(['--audit-log-group', '/keystage/cli', 'list']);
    expect(run.code).toBe(0);

    const logs = fixture.logs();
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/keystage/cli' }));
    expect(streams.logStreams).toHaveLength(1);
    const { events } = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/keystage/cli',
        logStreamName: streams.logStreams![0]!.logStreamName!,
        startFromHead: true,
      }),
    );
    const recorded = (events ?? []).map((e) => JSON.parse(e.message ?? '{}') as Record<string, unknown>);
    expect(recorded.map((e) => [e.action, e.user_id, e.success])).toEqual([['list', 'ana', true]]);
  });
});
