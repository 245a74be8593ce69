import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as ts from 'typescript';

// The root entry's declarations never name @peculiar/x509, an optional peer: a service that does
// not install it must still type-check against `keystage`. Each module's declaration is made as
// tsc makes it (transpileDeclaration), following the imports the declarations keep.

const root = join(__dirname, '..', '..', '..');

function declaration(file: string): string {
  return ts.transpileDeclaration(readFileSync(file, 'utf8'), {
    fileName: file,
    compilerOptions: { strict: true },
  }).outputText;
}

function reachableDeclarations(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    const text = declaration(file);
    seen.set(file, text);
    for (const [, specifier] of text.matchAll(/(?:\bfrom\s+|\bimport\()["'](\.{1,2}\/[^"']+)["']/g)) {
      const base = resolve(dirname(file), specifier!);
      queue.push(existsSync(`${base}.ts`) ? `${base}.ts` : join(base, 'index.ts'));
    }
  }
  return seen;
}

let reached: Map<string, string>;
beforeAll(() => {
  reached = reachableDeclarations(join(root, 'lib', 'index.ts'));
});

describe('certificate declarations', () => {
  it('name no @peculiar type anywhere the root entry reaches', () => {
    expect(reached.has(join(root, 'lib', 'generate', 'certificate.ts'))).toBe(true);
    expect(reached.has(join(root, 'lib', 'client', 'operations', 'create-certificate.ts'))).toBe(true);
    const naming = [...reached].filter(([, text]) => text.includes('@peculiar')).map(([file]) => file);
    expect(naming).toEqual([]);
  });

  it('would catch one: the internal signer does name them, and is not reached', () => {
    const signer = join(root, 'lib', 'generate', 'certificate-signer.ts');
    expect(declaration(signer)).toContain('@peculiar/x509');
    expect(reached.has(signer)).toBe(false);
  });
});
