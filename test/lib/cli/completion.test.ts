import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { completionScript } from '../../../lib/cli/completion';
import { buildProgram } from '../../../lib/cli/program';
import { runCli } from './cli-harness';

const { program } = buildProgram({
  stdin: new PassThrough(),
  stdout: new PassThrough(),
  stderr: new PassThrough(),
  env: {},
});
const commands = program.commands.map((command) => command.name());

/** What bash completes for `words` (the last one being typed), with the script loaded. */
function bashCompletes(words: readonly string[]): string[] {
  const script = completionScript(program, 'bash');
  const array = words.map((word) => `'${word}'`).join(' ');
  const result = spawnSync(
    'bash',
    [
      '--norc',
      '--noprofile',
      '-c',
      `eval "$SCRIPT"; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _keystage; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', SCRIPT: script } },
  );
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter((line) => line !== '');
}

describe('keystage completion bash', () => {
  it.each([
    [
      ['keystage', 'ge'],
      ['get', 'generate'],
    ],
    [
      ['keystage', 'un'],
      ['undelete', 'untag'],
    ],
    [
      ['keystage', '--output', ''],
      ['json', 'yaml', 'table', 'text'],
    ],
    [['keystage', 'get', '--pl'], ['--plain']],
    [['keystage', '--region', 'eu-west-1', 'get', '--f'], ['--field']],
    [
      ['keystage', 'list', '--qu'],
      ['--query', '--quiet'],
    ],
    [
      ['keystage', 'generate', ''],
      ['password', 'api-key', 'symmetric-key', 'webhook-secret'],
    ],
    [
      ['keystage', 'create', 'x', '--kind', 'd'],
      ['database', 'data-key'],
    ],
    [
      ['keystage', 'completion', ''],
      ['bash', 'zsh', 'fish'],
    ],
  ])('completes %j to %j', (words, expected) => {
    expect(bashCompletes(words)).toEqual(expected);
  });

  it('completes every command of the table', () => {
    expect(bashCompletes(['keystage', ''])).toEqual(commands);
    expect(commands).toEqual(
      expect.arrayContaining(['get', 'put', 'list', 'rollback', 'local', 'tour', 'completion']),
    );
  });

  it('is what `keystage completion bash` prints', async () => {
    const run = await runCli(['completion', 'bash']);
    expect(run).toMatchObject({ code: 0, stdout: completionScript(program, 'bash'), stderr: '' });
  });

  it('refuses a shell it has no script for (exit 2)', async () => {
    const run = await runCli(['completion', 'powershell']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Allowed choices are bash, zsh, fish/);
  });
});

// zsh and fish are not installed here: their scripts are checked for what they must name.
describe('keystage completion zsh and fish', () => {
  it('zsh: a #compdef function describing every command, with option choices', () => {
    const script = completionScript(program, 'zsh');
    expect(script.startsWith('#compdef keystage\n')).toBe(true);
    for (const name of commands) expect(script).toMatch(new RegExp(`'${name}:[^']+'`));
    expect(script).toContain(
      "'--output[result format (default: KEYSTAGE_OUTPUT, else json)]:value:(json yaml table text)'",
    );
    expect(script).toContain('generate) _arguments $globals');
    expect(script).toContain("':argument:(password api-key symmetric-key webhook-secret)'");
    expect(script).toContain("'--value-file[");
  });

  it('fish: one complete line per command and option, scoped to its command', () => {
    const script = completionScript(program, 'fish');
    for (const name of commands) expect(script).toMatch(new RegExp(`-a ${name} -d '`));
    expect(script).toContain("complete -c keystage -n '__fish_seen_subcommand_from get' -l plain -d ");
    expect(script).toContain("complete -c keystage -l output -x -a 'json yaml table text'");
    expect(script).toContain("complete -c keystage -n '__fish_seen_subcommand_from put' -l value-file -r -F");
    expect(script).toContain('complete -c keystage -l environment -s e -x');
  });
});
