import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { cliExample } from '../../examples/cli';
import { EXIT_CODES } from '../../lib/cli/exit-codes';
import { buildProgram } from '../../lib/cli/program';
import { startLocal, type LocalFixture } from '../support/local-endpoint';
import { cliBundle } from '../support/local-process';

const root = join(__dirname, '..', '..');
const HEADING = '## The operator CLI: `keystage <command>`';

function section(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf(HEADING);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + HEADING.length);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The rows of the markdown table whose header row starts with `| first |`. */
function tableRows(text: string, first: string): string[][] {
  const lines = text.split('\n');
  // Prettier pads table cells, so the header cell is matched with any padding.
  const at = lines.findIndex((line) => new RegExp(`^\\|\\s*${first}\\s*\\|`).test(line));
  expect(at).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(at + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

describe('README operator CLI', () => {
  it('shows exactly the code of examples/cli.ts', () => {
    const block = /```ts\n([\s\S]*?)```/.exec(section())?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'cli.ts'), 'utf8'));
  });

  it("lists every command of the program's command table, and no other", () => {
    const { program } = buildProgram({
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      env: {},
    });
    const documented = tableRows(section(), 'command').map(([cell]) => /^`([a-z-]+)/.exec(cell!)![1]);
    expect(documented).toEqual(program.commands.map((command) => command.name()));
  });

  it('documents the exit code of every error code, as EXIT_CODES has them', () => {
    const rows = tableRows(section(), 'exit code');
    const byCode = Object.fromEntries(
      rows.flatMap(([exit, meaning]) =>
        [...meaning!.matchAll(/`([A-Z_]+)`/g)].map((match) => [match[1], Number(exit)] as const),
      ),
    );
    expect(byCode).toEqual(EXIT_CODES);
    expect(rows.map(([exit]) => Number(exit))).toEqual([...Array(17).keys()]);
  });

  describe('the script', () => {
    let local: LocalFixture;
    beforeAll(async () => {
      local = await startLocal();
    });
    afterAll(() => local.endpoint.close());

    it('runs: creates the key once, reads it by pipe, is refused without --yes, sees the revocation', async () => {
      const setup = {
        keystage: [process.execPath, cliBundle()] as const,
        endpointUrl: local.endpoint.url,
        // Dummy credentials and the region (test/support/aws-env.ts); a child gets only what it is given.
        env: { ...process.env },
      };
      const first = await cliExample(setup);
      expect(first).toEqual({
        names: ['dev/payments/stripe'],
        keyPrefix: 'pay',
        refusedWithoutYes: true,
        readsRevoked: true,
        newest: 'AWSCURRENT',
      });
      // Again: the key exists now, so it is not created twice; a new version is generated.
      await expect(cliExample(setup)).resolves.toEqual(first);
    });
  });
});
