import { runTour } from '../../../lib/cli/tour';

describe('runTour', () => {
  it('walks through create, read, version, roll back, revoke and restore without printing a value', async () => {
    const lines: string[] = [];
    await runTour((line) => lines.push(line));
    const text = lines.join('\n');
    for (const step of [
      'Create secrets',
      'Read them back',
      'Put a new version',
      'Roll back',
      'Revoke',
      'Restore',
    ]) {
      expect(text).toContain(step);
    }
    expect(text).toContain('read refused: SECRET_REVOKED');
    expect(text).toMatch(/demo\/billing\/partner-api\s+kind=api-key\s+status=active/);
    expect(text).not.toMatch(/acme_[A-Za-z0-9]{16,}/);
    expect(text).not.toContain('acme_rotated_by_hand');
    expect(text).not.toMatch(/password [A-Za-z0-9._-]{32}/);
  });
});
