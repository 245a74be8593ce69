import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsClient } from '../../../lib/client';
import { consoleRun, runConsole } from '../../../lib/cli/commands/console';
import { runCli } from '../cli/cli-harness';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { elements, signIn } from './console-fixture';

describe('keystage console', () => {
  let local: LocalFixture;
  const dir = mkdtempSync(join(tmpdir(), 'keystage-console-'));
  beforeAll(async () => {
    local = await startLocal();
    const seed = new SecretsClient({ secretsManager: local.sm(), kms: local.kms(), cache: false });
    await seed.create({
      name: 'key',
      kind: 'generic',
      environment: 'dev',
      service: 'web',
      value: 'cli-planted-value',
    });
    seed.close();
  });
  afterAll(async () => {
    await local.endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a one-time login URL, signs in as --user with --role, and audits to its trail', async () => {
    const lines: string[] = [];
    const warnings: string[] = [];
    const auditLog = join(dir, 'audit.jsonl');
    const run = consoleRun(
      { port: '0', user: 'ana', role: 'team-lead', auditLog },
      { endpoint: local.endpoint.url, region: 'us-east-1' },
      {},
    );
    const running = await runConsole(
      run,
      (line) => lines.push(line),
      (line) => warnings.push(line),
      () => undefined,
    );
    try {
      const loginLine = lines.find((line) => line.includes('/login?token='))?.trim() ?? '';
      expect(loginLine).toBe(running.loginUrl);
      expect(lines).toContain('signed in as ana with role team-lead; audit trail: ' + auditLog);
      expect(warnings).toEqual([]);
      const browser = await signIn(loginLine);
      const table = await browser.get('/environments/dev');
      expect(table.body).toContain('data-secret="dev/web/key"');
      expect((await browser.post('/secret/reveal', { name: 'dev/web/key' })).status).toBe(200);
      const audit = await browser.get('/audit?action=get');
      expect(elements(audit.body, 'audit-row')).toContainEqual(
        expect.objectContaining({
          'data-action': 'get',
          'data-secret': 'dev/web/key',
          'data-success': 'true',
          'data-principal': 'ana',
        }),
      );
      expect(audit.body).not.toContain('cli-planted-value');
      // team-lead: view and edit staging, but no production in the switcher.
      expect(table.body).not.toContain('data-env="prod"');
    } finally {
      await running.close();
    }
  });

  it('warns when bound to a non-loopback address', async () => {
    const warnings: string[] = [];
    const run = consoleRun(
      { host: '0.0.0.0', port: '0', role: 'admin', auditLog: join(dir, 'other.jsonl') },
      { endpoint: local.endpoint.url },
      {},
    );
    const running = await runConsole(
      run,
      () => undefined,
      (line) => warnings.push(line),
      () => undefined,
    );
    await running.close();
    expect(warnings[0]).toMatch(/^warning: The console listens on 0\.0\.0\.0, not loopback/);
  });

  it.each([
    [['--role', 'root'], /--role "root" must be one of developer, team-lead, devops, admin/],
    [['--port', 'eighty'], /--port "eighty" must be a port number/],
    [['--user', 'a b'], /--user "a b" must be/],
    [['--environments', 'dev,prod'], /--environments "dev,prod" must name/],
  ])('refuses %j before starting', async (flags, message) => {
    const result = await runCli(['console', ...flags]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });

  it('documents its flags in --help', async () => {
    const result = await runCli(['console', '--help']);
    for (const flag of ['--host', '--port', '--user', '--role', '--environments', '--audit-file'])
      expect(result.stdout).toContain(flag);
  });

  it('records to the global --audit-file, and refuses a log group it could not read back', async () => {
    const refused = await runCli(['--audit-log-group', '/keystage/console', 'console', '--port', '0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('give --audit-file instead');
  });
});
