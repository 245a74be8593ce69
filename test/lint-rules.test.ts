import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');

/** Lints `code` as if it were the file at `path`, with the project's own configuration. */
function lint(path: string, code: string): { ruleIds: string[]; messages: string[] } {
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'),
      '--format',
      'json',
      '--stdin',
      '--stdin-filename',
      path,
    ],
    { cwd: root, input: code, encoding: 'utf8' },
  );
  const report = JSON.parse(result.stdout) as Array<{
    messages: Array<{ ruleId: string | null; message: string }>;
  }>;
  const messages = report.flatMap((file) => file.messages);
  return { ruleIds: messages.map((m) => m.ruleId ?? 'fatal'), messages: messages.map((m) => m.message) };
}

const insecure = [
  "import { createCipher } from 'node:crypto';",
  "import * as crypto from 'node:crypto';",
  'export const a = Math.random();',
  "export const b = crypto.createCipher('aes192', 'pw');",
  "export const c = crypto.createDecipher('aes192', 'pw');",
  'export const d = createCipher;',
  "console.log('x');",
].join('\n');

describe('lint rules', () => {
  it.each(['lib/generate/probe.ts', 'rotation-lambdas/strategies/probe.ts'])(
    'ban Math.random, createCipher and console in %s',
    (path) => {
      const { messages } = lint(path, insecure);
      expect(messages.filter((m) => m.includes('Math.random'))).not.toHaveLength(0);
      expect(messages.filter((m) => m.includes('createCipher'))).toHaveLength(3);
      expect(messages.some((m) => /Unexpected console/.test(m))).toBe(true);
    },
  );

  it('accept node:crypto randomness', () => {
    const { ruleIds } = lint(
      'lib/generate/probe.ts',
      "import { randomBytes, createCipheriv } from 'node:crypto';\nexport const k = randomBytes(32);\nexport const f = createCipheriv;\n",
    );
    expect(ruleIds).toEqual([]);
  });
});
