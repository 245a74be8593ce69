import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * keystage's own version, from the nearest package.json named keystage above this file: the
 * same file whether this runs from source (lib/cli), from the build (dist/lib/cli) or from an
 * installed package (node_modules/keystage/dist/lib/cli).
 * @example
 * keystageVersion(); // '0.1.0'
 */
export function keystageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'keystage' && typeof pkg.version === 'string') return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
