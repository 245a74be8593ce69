import type * as Tour from '../../../lib/cli/tour';
import { runTour } from '../../../lib/cli/tour';
import type * as Errors from '../../../lib/errors';

describe('runTour', () => {
  // One tour for the file: each test reads a different part of what it printed.
  let text = '';
  beforeAll(async () => {
    const lines: string[] = [];
    await runTour((line) => lines.push(line));
    text = lines.join('\n');
  });

  it('walks through create, read, version, roll back, revoke and restore', () => {
    for (const step of [
      'Create secrets',
      'Read them back',
      'Put a new version',
      'Roll back',
      'Revoke',
      'Restore',
      'Audit: read a new secret twice',
    ]) {
      expect(text).toContain(step);
    }
    expect(text).toContain('read refused: SECRET_REVOKED');
    expect(text).toMatch(/demo\/billing\/partner-api\s+kind=api-key\s+status=active/);
  });

  it('prints no value, of any kind of secret', () => {
    expect(text).not.toMatch(/acme_[A-Za-z0-9]{16,}/);
    expect(text).not.toMatch(/hook_[A-Za-z0-9]{16,}/);
    expect(text).not.toContain('acme_rotated_by_hand');
    expect(text).not.toMatch(/password [A-Za-z0-9._-]{32}/);
  });

  it('reads the audit events back from CloudWatch Logs: the second read of a secret a cache hit', () => {
    expect(text).toMatch(
      /secret_access\s+get\s+demo\/billing\/webhook-key\s+cache_hit=false\s+success=true\n\s+\d+\s+secret_access\s+get\s+demo\/billing\/webhook-key\s+cache_hit=true\s+success=true/,
    );
  });

  it('shows every kind of call in the trail, the refused read of the revoked key as a failure', () => {
    expect(text).toMatch(/^\s+1\s+secret_change\s+create\s+demo\/billing\/db\s/m);
    expect(text).toMatch(/secret_change\s+revoke\s+demo\/billing\/partner-api/);
    expect(text).toMatch(
      /secret_access\s+get\s+demo\/billing\/partner-api\s+cache_hit=false\s+success=false/,
    );
    expect(text).toMatch(/secret_metadata\s+list/);
    expect(text).toMatch(/\d+ events in \/keystage\/tour\/audit/);
  });
});

describe('runTour without @aws-sdk/client-cloudwatch-logs installed', () => {
  afterEach(() => {
    jest.dontMock('../../../lib/audit/cloudwatch-logs-sdk');
    jest.resetModules();
  });

  it('runs every other step and says how to see the audit trail', async () => {
    const lines: string[] = [];
    let isolated: typeof Tour | undefined;
    jest.isolateModules(() => {
      // This run's own errors module: the tour must see the ConfigurationError class it imports.
      const errors = jest.requireActual<typeof Errors>('../../../lib/errors');
      jest.doMock('../../../lib/audit/cloudwatch-logs-sdk', () => ({
        cloudWatchLogsSdk: () => {
          throw new errors.ConfigurationError('@aws-sdk/client-cloudwatch-logs', 'not installed (test)');
        },
      }));
      isolated = jest.requireActual<typeof Tour>('../../../lib/cli/tour');
    });
    await isolated!.runTour((line) => lines.push(line));
    const text = lines.join('\n');
    expect(text).toContain('read refused: SECRET_REVOKED');
    expect(text).toContain('skipped: npm install @aws-sdk/client-cloudwatch-logs');
    expect(text).not.toMatch(/secret_access\s+get/);
  });
});
