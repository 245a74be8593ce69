import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  engines: { node: string };
  exports: Record<string, { default: string; types: string }>;
  dependencies: Record<string, string>;
  scripts: Record<string, string>;
};

describe('package', () => {
  it('is keystage for Node 20 and later', () => {
    expect(pkg.name).toBe('keystage');
    expect(pkg.engines.node).toBe('>=20');
  });

  it('exports the library and the CDK side separately, from what the build emits', () => {
    expect(pkg.exports['.']).toEqual({ types: './dist/lib/index.d.ts', default: './dist/lib/index.js' });
    expect(pkg.exports['./infra']).toEqual({
      types: './dist/infra/index.d.ts',
      default: './dist/infra/index.js',
    });
    expect(existsSync(join(root, 'lib', 'index.ts'))).toBe(true);
    expect(existsSync(join(root, 'infra', 'index.ts'))).toBe(true);
  });

  it('has the repository shape the tools expect', () => {
    for (const entry of [
      'lib',
      'infra',
      'rotation-lambdas',
      'test',
      'cdk.json',
      'tsconfig.json',
      'README.md',
      '.ci/run',
    ]) {
      expect(existsSync(join(root, entry))).toBe(true);
    }
  });

  it('never imports CDK from the library', () => {
    const files = readdirSync(join(root, 'lib'), { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    expect(files.length).toBeGreaterThan(5);
    const importers = files.filter((f) =>
      /from '(aws-cdk-lib|constructs)[/']/.test(readFileSync(join(root, 'lib', f), 'utf8')),
    );
    expect(importers).toEqual([]);
  });

  it('keeps the local endpoint an independent model: no import from the client, the cache or the rotation functions', () => {
    const dir = join(root, 'lib', 'local');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    const offenders = files.filter((f) =>
      /from '(\.\.\/)+(client|cache|rotation-lambdas)[/']/.test(readFileSync(join(dir, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
