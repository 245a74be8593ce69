import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { Terminal, recordTerminal } from './terminal';

// keystage under a real terminal: tmux for the prompts (keys in, screen out), `script` for the
// raw bytes of the progress display and colours.

const PLANTED = 'planted-tty-Lm4w-do-not-print';
const SECOND = 'planted-tty-second-Rk2p';

let fixture: LocalFixture;
let url: string;
const open: Terminal[] = [];

beforeAll(async () => {
  fixture = await startLocal();
  url = fixture.endpoint.url;
});
afterEach(async () => {
  for (const terminal of open.splice(0)) await terminal.close();
});
afterAll(async () => {
  await Terminal.stopServer();
  await fixture.endpoint.close();
});

async function terminal(argv: readonly string[]): Promise<Terminal> {
  const opened = await Terminal.open(['--endpoint-url', url, ...argv]);
  open.push(opened);
  return opened;
}

/** A secret with two versions, both values planted. */
async function twoVersions(name: string): Promise<void> {
  await fixture.sm().send(new CreateSecretCommand({ Name: name, SecretString: PLANTED }));
  await fixture.sm().send(new PutSecretValueCommand({ SecretId: name, SecretString: SECOND }));
}

const current = async (name: string) =>
  (await fixture.sm().send(new GetSecretValueCommand({ SecretId: name }))).SecretString;

describe('confirmation on a terminal (RELIABILITY 73)', () => {
  it('rollback shows the move and asks; "n" changes nothing and exits 1', async () => {
    await twoVersions('tty/app/declined');
    const tty = await terminal(['rollback', 'tty/app/declined']);
    const screen = await tty.waitFor(/Roll back tty\/app\/declined\? \[y\/N\]/);
    expect(screen).toMatch(
      /rollback tty\/app\/declined:\n {2}AWSCURRENT {2}\S+ \(created .*\)\n {10}-> {2}\S+/,
    );
    await tty.send('n', 'Enter');
    expect(await tty.exitCode()).toBe(1);
    expect(await tty.screen()).toContain('Not confirmed: nothing was changed.');
    expect(await current('tty/app/declined')).toBe(SECOND);
  });

  it('rollback goes ahead on "y": AWSCURRENT is back on the previous value', async () => {
    await twoVersions('tty/app/confirmed');
    const tty = await terminal(['rollback', 'tty/app/confirmed']);
    await tty.waitFor(/\[y\/N\]/);
    await tty.send('y', 'Enter');
    expect(await tty.exitCode()).toBe(0);
    expect(await tty.screen()).toMatch(/"toVersionId": "/);
    expect(await current('tty/app/confirmed')).toBe(PLANTED);
  });

  it('delete asks, and Ctrl-C at the prompt changes nothing', async () => {
    await twoVersions('tty/app/kept');
    const tty = await terminal(['delete', 'tty/app/kept', '--recovery-window-days', '7']);
    expect(await tty.waitFor(/Delete tty\/app\/kept\? \[y\/N\]/)).toMatch(
      /schedule the deletion of tty\/app\/kept in 7 days/,
    );
    await tty.send('C-c');
    expect(await tty.exitCode()).toBe(1);
    const { DeletedDate } = await fixture.sm().send(new DescribeSecretCommand({ SecretId: 'tty/app/kept' }));
    expect(DeletedDate).toBeUndefined();
  });

  it('asks nothing with --yes', async () => {
    await twoVersions('tty/app/revoked');
    const tty = await terminal(['revoke', 'tty/app/revoked', '--reason', 'drill', '--yes']);
    expect(await tty.exitCode()).toBe(0);
    expect(await tty.screen()).not.toContain('[y/N]');
  });
});

describe('values typed and read on a terminal', () => {
  it('put reads the value at a prompt that does not echo it', async () => {
    await fixture.sm().send(new CreateSecretCommand({ Name: 'tty/app/typed', SecretString: 'first' }));
    const tty = await terminal(['put', 'tty/app/typed']);
    await tty.waitFor(/Value for tty\/app\/typed \(not shown\): /);
    await tty.send('-l', PLANTED);
    await tty.send('Enter');
    expect(await tty.exitCode()).toBe(0);
    expect(await tty.screen()).not.toContain(PLANTED);
    expect(await current('tty/app/typed')).toBe(PLANTED);
  });

  it('get --plain prints the value on its own line; get without it never does', async () => {
    await twoVersions('tty/app/read');
    const plain = await terminal(['get', 'tty/app/read', '--plain']);
    expect(await plain.exitCode()).toBe(0);
    expect(await plain.screen()).toMatch(new RegExp(`^${SECOND}\\n\\[exit 0\\]`, 'm'));
    const shape = await terminal(['get', 'tty/app/read']);
    expect(await shape.exitCode()).toBe(0);
    expect(await shape.screen()).not.toContain('planted');
  });
});

describe('progress on a terminal', () => {
  beforeAll(async () => {
    for (let i = 0; i < 120; i++) {
      await fixture.sm().send(
        new CreateSecretCommand({
          Name: `tty/bulk/s${String(i).padStart(3, '0')}`,
          SecretString: PLANTED,
          Tags: [{ Key: 'keystage:environment', Value: 'tty' }],
        }),
      );
    }
  });

  it('list redraws one progress line on stderr, clears it, then prints the table and the count', async () => {
    const bytes = await recordTerminal([
      '--endpoint-url',
      url,
      'list',
      '--prefix',
      'tty/bulk/',
      '--output',
      'table',
    ]);
    // The first item draws the line (erase line, label, count, name); later ones redraw it in place.
    expect(bytes).toContain('\r\u001b[2K\u001b[2mlist 1 tty/bulk/s000\u001b[22m');
    const cleared = bytes.lastIndexOf('\r\u001b[2K');
    expect(bytes.indexOf('120 secrets')).toBeGreaterThan(cleared);
    expect(bytes.indexOf('tty/bulk/s119')).toBeGreaterThan(bytes.indexOf('120 secrets'));
    expect(bytes).toContain('\u001b[1mNAME ');
    expect(bytes).not.toContain(PLANTED);
  });

  it('shows no progress and no colour with --quiet --no-color, only the table', async () => {
    const bytes = await recordTerminal([
      '--endpoint-url',
      url,
      'list',
      '--prefix',
      'tty/bulk/',
      '--output',
      'table',
      '--quiet',
      '--no-color',
    ]);
    expect(bytes).not.toContain('\u001b[');
    expect(bytes).not.toContain('secrets');
    expect(bytes.split('\n').filter((line) => line.startsWith('tty/bulk/'))).toHaveLength(120);
  });

  it('env copy draws a bar of the secrets copied as it goes, then the outcome', async () => {
    const bytes = await recordTerminal([
      '--endpoint-url',
      url,
      'env',
      'copy',
      'tty',
      'ttycopy',
      '--output',
      'table',
    ]);
    // The first secret done draws the bar, its name and where it went; the bar is cleared before the table.
    expect(bytes).toContain(
      `\r\u001b[2K\u001b[2mcopying [${'-'.repeat(24)}] 1/120 tty/bulk/s000 -> ttycopy/bulk/s000\u001b[22m`,
    );
    const cleared = bytes.lastIndexOf('\r\u001b[2K');
    expect(bytes.indexOf('tty -> ttycopy: 120 created')).toBeGreaterThan(cleared);
    expect(bytes).not.toContain(PLANTED);
  });

  it('ends on a screen with the table and no progress left behind', async () => {
    const tty = await terminal(['list', '--prefix', 'tty/bulk/', '--output', 'text', '--query', 'length(@)']);
    expect(await tty.exitCode()).toBe(0);
    const screen = await tty.screen();
    expect(screen).toMatch(/^120 secrets\n120\n\[exit 0\]/m);
    expect(screen).not.toMatch(/list \d+/);
  });
});
