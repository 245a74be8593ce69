import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root, from source (`infra/`) or from the build (`dist/infra/`): the
 * nearest directory above this file that holds the package.json.
 */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}
