// Joins tsc's compiled modules (dist/lib, dist/infra, dist/rotation-lambdas) into fewer files,
// after tsc (scripts/build.mjs runs it). What a service installs is mostly disk blocks, not
// bytes: most compiled modules are 1-4 KB and each takes at least one 4 KB block, so 500 of
// them weigh twice their size.
//
// A module joins the file of the module that requires it when nothing else does: a group is a
// file that something outside it requires (a package entry point, a module two groups share,
// the repository's CDK app) with every module only it requires. Each module is still in the
// package once, and loads when it did: esbuild keeps each in a CommonJS wrapper that runs on
// its first require, as Node would, so load order, cycles and exports behave as in the
// per-file build the tests run. A bundler that follows a service's imports takes in what it
// took before. Modules of other groups stay separate files, required by their relative path.
//
// Every compiled file comes out without its indentation (see the minify options below). The
// operator CLI's group also carries its third-party libraries (VENDORED, with their licences),
// which is why keystage has no runtime dependencies. Declaration files are not touched. The
// empty module tsc emits for a type-only source is deleted when nothing requires it: the
// package's exports map lets nothing else load it.
//
// Also a module: bundlePackage() for scripts/build.mjs.

import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The packages bundled into the CLI, each at most into one group. */
export const VENDORED = ['commander', 'jmespath', 'js-yaml'];

/** The compiled trees. A rotation function's bundle (rotation-lambdas/<handler>/index.js) is no module of them. */
const TREES = ['lib', 'infra', 'rotation-lambdas'];
const BUILTINS = new Set(builtinModules);
const EMPTY_MODULE =
  /^"use strict";\s*Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);\s*$/;
const REQUIRE = /\brequire\(["'](\.{1,2}(?:\/[^"']*)?)["']\)/g;

const posix = (path) => path.split(sep).join('/');
const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** What a relative require in the compiled output points at, as Node resolves it. */
function resolveCompiled(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const found = [base, `${base}.js`, join(base, 'index.js')].find(
    (candidate) => existsSync(candidate) && statSync(candidate).isFile(),
  );
  if (found === undefined) throw new Error(`${from} requires ${specifier}, which dist/ does not have.`);
  return found;
}

/** Removes `dir` and then each parent up to `top`, as long as they are empty. */
function removeEmptyDirs(dir, top) {
  for (; dir.startsWith(top + sep) && existsSync(dir) && readdirSync(dir).length === 0; dir = dirname(dir))
    rmSync(dir, { recursive: true });
}

/** The compiled modules: every .js file of the trees but the rotation functions' bundles. */
function compiledModules(dist) {
  const handlers = join(root, 'rotation-lambdas', 'handlers');
  const bundles = new Set(
    (existsSync(handlers) ? readdirSync(handlers) : [])
      .filter((file) => file.endsWith('.ts'))
      .map((file) => join(dist, 'rotation-lambdas', file.slice(0, -'.ts'.length), 'index.js')),
  );
  return TREES.filter((tree) => existsSync(join(dist, tree))).flatMap((tree) =>
    readdirSync(join(dist, tree), { recursive: true, encoding: 'utf8' })
      .map((file) => join(dist, tree, file))
      .filter((file) => file.endsWith('.js') && !bundles.has(file)),
  );
}

/**
 * Groups `modules` (path -> { text, importers }): a module whose importers are all in one
 * other group joins it. A module that reads its own location (__dirname, __filename) joins
 * only a group whose file is in its directory. Returns module -> its group's file.
 */
function groupModules(modules, entries) {
  const parent = new Map([...modules.keys()].map((file) => [file, file]));
  const groupOf = (file) => {
    while (parent.get(file) !== file) file = parent.get(file);
    return file;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const [file, { text, importers }] of modules) {
      if (entries.has(file) || groupOf(file) !== file || importers.size === 0) continue;
      const groups = new Set([...importers].map(groupOf));
      groups.delete(file);
      if (groups.size !== 1) continue;
      const [group] = groups;
      if (/\b__(dirname|filename)\b/.test(text) && dirname(group) !== dirname(file)) continue;
      parent.set(file, group);
      changed = true;
    }
  }
  return new Map([...modules.keys()].map((file) => [file, groupOf(file)]));
}

/** The licence texts of the vendored packages a group carries, as one comment. */
function licences(names) {
  const texts = names.map((name) => {
    const dir = join(root, 'node_modules', name);
    const { version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((entry) => /^licen[cs]e/i.test(entry));
    if (file === undefined) throw new Error(`${name} has no licence file to carry into the bundle.`);
    return `${name} ${version} (${license}):\n\n${readFileSync(join(dir, file), 'utf8').trim()}`;
  });
  return `/*!\nBundled third-party code:\n\n${texts.join('\n\n').replaceAll('*/', '* /')}\n*/`;
}

/** Bundles a group's own modules and the vendored packages; everything else stays a require. */
function groupPlugin(group, groupOf) {
  return {
    name: 'keystage-group',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const inPackage = args.importer.includes(`${sep}node_modules${sep}`);
        if (args.path.startsWith('.')) {
          if (inPackage) return undefined;
          const target = resolveCompiled(args.importer, args.path);
          if (groupOf.get(target) === group) return undefined;
          const path = posix(relative(dirname(group), target)).replace(/\.js$/, '');
          return { path: path.startsWith('.') ? path : `./${path}`, external: true };
        }
        if (args.path.startsWith('node:') || BUILTINS.has(args.path)) return { external: true };
        if (inPackage || VENDORED.includes(packageName(args.path))) return undefined;
        return { external: true };
      });
    },
  };
}

/**
 * Joins the compiled modules of `dist` (tsc's output) into groups, replacing each group's file
 * with its bundle and deleting the modules it took in. `entries` are the files that must stay
 * where they are (the package's exports and bin). Returns { modules, files, groups }: how many
 * compiled modules there were, how many files they are now, and the bundled groups'
 * [{ file, modules, bytes }].
 */
export async function bundlePackage({ dist = join(root, 'dist'), entries }) {
  const files = compiledModules(dist);
  const modules = new Map(
    files.map((file) => [file, { text: readFileSync(file, 'utf8'), importers: new Set() }]),
  );
  for (const [file, { text }] of modules)
    for (const [, specifier] of text.matchAll(REQUIRE))
      modules.get(resolveCompiled(file, specifier))?.importers.add(file);
  const kept = new Set(entries.map((entry) => resolve(entry)));
  const stubs = files.filter(
    (file) =>
      !kept.has(file) && modules.get(file).importers.size === 0 && EMPTY_MODULE.test(modules.get(file).text),
  );
  for (const file of stubs) modules.delete(file);
  const groupOf = groupModules(modules, kept);
  const members = new Map();
  for (const [file, group] of groupOf) members.set(group, [...(members.get(group) ?? []), file]);
  const bundled = [];
  const vendoredBy = new Map();
  for (const [group, inside] of members) {
    const vendors = new Set(
      inside.flatMap((file) =>
        [...modules.get(file).text.matchAll(/\brequire\(["']([^."'][^"']*)["']\)/g)]
          .map(([, specifier]) => packageName(specifier))
          .filter((name) => VENDORED.includes(name)),
      ),
    );
    for (const name of vendors) {
      if (vendoredBy.has(name))
        throw new Error(
          `${name} is required by ${vendoredBy.get(name)} and ${group}: it would be bundled twice.`,
        );
      vendoredBy.set(name, group);
    }
    const result = await build({
      entryPoints: [group],
      absWorkingDir: root,
      bundle: true,
      write: false,
      outfile: group,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      // Whitespace is a fifth of tsc's output (indentation, mostly); nobody reads this code
      // but in a stack trace, and editors read the declarations. Names stay (a trace still
      // says which function), and lines stay short, so that a trace's line locates a statement.
      // The CLI's group, which carries the vendored packages, is minified outright, names kept.
      minifyWhitespace: true,
      minifySyntax: vendors.size > 0,
      minifyIdentifiers: vendors.size > 0,
      keepNames: vendors.size > 0,
      lineLimit: 120,
      legalComments: 'none',
      banner: vendors.size > 0 ? { js: licences([...vendors].sort()) } : {},
      sourcemap: false,
      plugins: [groupPlugin(group, groupOf)],
      metafile: true,
      logLevel: 'warning',
    });
    // Each module in exactly one file: what esbuild took in of dist/ must be the group's own.
    const taken = Object.keys(result.metafile.inputs)
      .map((input) => resolve(root, input))
      .filter((input) => !input.includes(`${sep}node_modules${sep}`));
    if (taken.length !== inside.length || taken.some((input) => groupOf.get(input) !== group))
      throw new Error(`${group} took in ${taken.length} modules of dist/, not its group's ${inside.length}.`);
    const [output] = result.outputFiles;
    bundled.push({ group, inside, contents: output.contents });
  }
  // Nothing is written until every group has bundled: a failure leaves tsc's output whole.
  for (const file of stubs) rmSync(file);
  for (const { group, inside, contents } of bundled) {
    for (const file of inside) if (file !== group) rmSync(file);
    writeFileSync(group, contents);
  }
  // A directory whose modules all joined another file's, and that has no declarations, is left empty.
  for (const file of files) removeEmptyDirs(dirname(file), dist);
  return {
    modules: files.length,
    files: files.length - stubs.length - bundled.reduce((sum, { inside }) => sum + inside.length - 1, 0),
    groups: bundled.map(({ group, inside, contents }) => ({
      file: posix(relative(dist, group)),
      modules: inside.length,
      bytes: contents.length,
    })),
  };
}
