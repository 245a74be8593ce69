import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shamirExample } from '../../examples/shamir';

const root = join(__dirname, '..', '..');

describe('README split knowledge (Shamir)', () => {
  it('shows exactly the code of examples/shamir.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Split knowledge (Shamir)'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'shamir.ts'), 'utf8'));
  });

  it('runs: three shares recover the password, a mistyped share is named, the log shows no share', async () => {
    const { password, logged, problem, positions, message } = await shamirExample();
    expect(password).toBe('break-glass: correct horse battery staple');
    expect(problem).toBe('damaged-share');
    expect(positions).toEqual([1]);
    expect(message).toMatch(
      /^A share is damaged or altered: shares\[1\] \(share 2 of 5\) fails its integrity tag/,
    );
    expect(JSON.parse(logged)).toMatchObject({
      threshold: 3,
      count: 5,
      shares: '[REDACTED]',
      sealed: '[REDACTED]',
    });
    expect(logged).not.toContain('ks1-');
  });
});
