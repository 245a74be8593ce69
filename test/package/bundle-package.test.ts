import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

// scripts/bundle-package.mjs on a small compiled tree shaped as tsc emits it: which modules
// join which file, and that the joined tree behaves as the per-file one did (load order, lazy
// loads, cycles, one instance of a shared module, each module's own directory).

const root = join(__dirname, '..', '..');
const script = pathToFileURL(join(root, 'scripts', 'bundle-package.mjs')).href;
const HEAD = '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n';

const TREE: Record<string, string> = {
  'lib/log.js': `${HEAD}exports.loaded = [];\n`,
  'lib/index.js': `${HEAD}const log_1 = require("./log");
log_1.loaded.push("index");
const a_1 = require("./a");
const shared_1 = require("./shared");
const cycle_a_1 = require("./cycle-a");
const dir_1 = require("./where/dir");
exports.a = a_1.a;
exports.shared = shared_1.shared;
exports.cycle = cycle_a_1.cycle;
exports.dir = dir_1.dir;
exports.loaded = log_1.loaded;
function lazy() { return require("./lazy").lazy; }
exports.lazy = lazy;
`,
  'lib/a.js': `${HEAD}const log_1 = require("./log");\nlog_1.loaded.push("a");\nexports.a = "a";\n`,
  'lib/shared.js': `${HEAD}const log_1 = require("./log");\nlog_1.loaded.push("shared");\nexports.shared = {};\n`,
  'lib/lazy.js': `${HEAD}const log_1 = require("./log");\nlog_1.loaded.push("lazy");\nexports.lazy = "lazy";\n`,
  'lib/cycle-a.js': `${HEAD}exports.cycle = void 0;\nconst cycle_b_1 = require("./cycle-b");\nexports.cycle = () => cycle_b_1.seen();\n`,
  'lib/cycle-b.js': `${HEAD}const cycle_a_1 = require("./cycle-a");\nexports.seen = () => typeof cycle_a_1.cycle;\n`,
  'lib/where/dir.js': `${HEAD}exports.dir = require("node:path").basename(__dirname);\n`,
  'lib/types.js': HEAD,
  'lib/other/index.js': `${HEAD}const shared_1 = require("../shared");\nexports.shared = shared_1.shared;\n`,
};

/** What the tree does: load order, a lazy load, a cycle, shared identity, __dirname. */
const PROBE = `
const main = require('./lib/index.js');
const before = [...main.loaded];
const lazy = main.lazy();
const other = require('./lib/other/index.js');
console.log(JSON.stringify({ before, after: main.loaded, lazy, cycle: main.cycle(), one: other.shared === main.shared, dir: main.dir, a: main.a }));
`;

let dist: string;
beforeEach(() => {
  dist = mkdtempSync(join(tmpdir(), 'keystage-bundle-package-'));
  for (const [file, text] of Object.entries(TREE)) {
    mkdirSync(dirname(join(dist, file)), { recursive: true });
    writeFileSync(join(dist, file), text);
  }
});
afterEach(() => rmSync(dist, { recursive: true, force: true }));

const node = (args: readonly string[]) =>
  spawnSync(process.execPath, args, { cwd: dist, encoding: 'utf8', timeout: 30_000 });

function bundle(entries: readonly string[]): { modules: number; files: number } {
  const code = `const { bundlePackage } = await import(${JSON.stringify(script)});
const { modules, files } = await bundlePackage({ dist: ${JSON.stringify(dist)}, entries: ${JSON.stringify(entries.map((entry) => join(dist, entry)))} });
process.stdout.write(JSON.stringify({ modules, files }));`;
  const result = node(['--input-type=module', '-e', code]);
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as { modules: number; files: number };
}

const probe = (): unknown => JSON.parse(node(['-e', PROBE]).stdout);

describe('bundlePackage', () => {
  it('joins each module into the file of its only importer, keeping shared modules, entries and a module reading __dirname elsewhere as files', () => {
    expect(bundle(['lib/index.js', 'lib/other/index.js'])).toEqual({ modules: 10, files: 5 });
    const left = Object.keys(TREE).filter((file) => existsSync(join(dist, file)));
    expect(left.sort()).toEqual([
      'lib/index.js',
      'lib/log.js',
      'lib/other/index.js',
      'lib/shared.js',
      'lib/where/dir.js',
    ]);
  });

  it('behaves as the per-file tree did: load order, a lazy load on first call, a cycle, one shared instance, each module its own __dirname', () => {
    const perFile = probe();
    expect(perFile).toEqual({
      before: ['index', 'a', 'shared'],
      after: ['index', 'a', 'shared', 'lazy'],
      lazy: 'lazy',
      cycle: 'function',
      one: true,
      dir: 'where',
      a: 'a',
    });
    bundle(['lib/index.js', 'lib/other/index.js']);
    expect(probe()).toEqual(perFile);
  });

  it('deletes the empty module of a type-only source that nothing requires, and keeps an entry even when it is empty', () => {
    writeFileSync(join(dist, 'lib', 'types-entry.js'), HEAD);
    bundle(['lib/index.js', 'lib/other/index.js', 'lib/types-entry.js']);
    expect(existsSync(join(dist, 'lib', 'types.js'))).toBe(false);
    expect(readFileSync(join(dist, 'lib', 'types-entry.js'), 'utf8')).toContain('__esModule');
  });

  it('refuses a relative require of a file the tree does not have, changing nothing', () => {
    writeFileSync(join(dist, 'lib', 'a.js'), `${HEAD}require("./missing");\n`);
    expect(() => bundle(['lib/index.js'])).toThrow(
      /lib\/a\.js requires \.\/missing, which dist\/ does not have/,
    );
    expect(Object.keys(TREE).every((file) => existsSync(join(dist, file)))).toBe(true);
  });
});
