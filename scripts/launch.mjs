// `npm start` and `npm run local`: runs the keystage command from dist/, rebuilding first only
// when a source changed since the last build (`npm ci` builds through `prepare`), and saying
// so at once, so the first line never waits for tsc.
//
//   node scripts/launch.mjs <keystage arguments>

import { createRequire } from 'node:module';
import { build, staleReason } from './build.mjs';

const require = createRequire(import.meta.url);
const reason = staleReason();
if (reason !== undefined) {
  process.stderr.write(`keystage: building dist/ first (${reason}); this takes a few seconds\n`);
  try {
    await build();
  } catch (error) {
    process.stderr.write(
      `keystage: build failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}
const { run } = require('../dist/lib/cli/main.js');
await run(process.argv.slice(2));
