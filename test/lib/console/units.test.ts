import type { SecretListItem, SecretVersion } from '../../../lib/client';
import { escapeHtml, html } from '../../../lib/console/html';
import { byUrgency, rotationHealth } from '../../../lib/console/rotation-health';
import { NO_PENDING_GRACE_MS, rotationProgress } from '../../../lib/console/rotation-progress';
import { SessionStore, tokensEqual } from '../../../lib/console/sessions';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

function secret(
  overrides: { lastRotatedAt?: Date; days?: number; inProgress?: boolean; next?: Date; kind?: boolean } = {},
): SecretListItem {
  return {
    arn: 'arn',
    name: 'dev/web/x',
    description: undefined,
    kmsKeyId: undefined,
    createdAt: new Date(NOW - 400 * DAY),
    lastChangedAt: undefined,
    lastAccessedAt: undefined,
    deletionDate: undefined,
    primaryRegion: undefined,
    rotation: {
      enabled: overrides.days !== undefined,
      lambdaArn: undefined,
      automaticallyAfterDays: overrides.days,
      scheduleExpression: undefined,
      duration: undefined,
      lastRotatedAt: overrides.lastRotatedAt,
      nextRotationAt: overrides.next,
      inProgress: overrides.inProgress ?? false,
    },
    tags: {},
    keystage: {
      environment: 'dev',
      service: 'web',
      kind: undefined,
      status: 'active',
      revokedAt: undefined,
      revokedReason: undefined,
    },
  };
}

describe('html', () => {
  it('escapes every interpolated value and keeps Html as it is', () => {
    const name = `"><script>alert('x')</script>&\``;
    expect(html`<td title="${name}">${name}</td>`.text).toBe(
      '<td title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#96;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#96;</td>',
    );
    expect(html`<p>${html`<b>${'<i>'}</b>`}</p>`.text).toBe('<p><b>&lt;i&gt;</b></p>');
    expect(html`${[1, '<', undefined, null, false]}`.text).toBe('1&lt;');
    expect(escapeHtml('plain')).toBe('plain');
  });
});

describe('rotationHealth', () => {
  it('is overdue past the configured period and ok within it', () => {
    expect(
      rotationHealth(secret({ days: 30, lastRotatedAt: new Date(NOW - 31 * DAY) }), NOW, false).state,
    ).toBe('overdue');
    expect(
      rotationHealth(secret({ days: 30, lastRotatedAt: new Date(NOW - 25 * DAY) }), NOW, false).state,
    ).toBe('due-soon');
    expect(
      rotationHealth(secret({ days: 30, lastRotatedAt: new Date(NOW - 2 * DAY) }), NOW, false),
    ).toMatchObject({ state: 'ok', periodDays: 30 });
  });

  it('is overdue when the next rotation date has passed', () => {
    expect(
      rotationHealth(
        secret({ days: 30, lastRotatedAt: new Date(NOW - DAY), next: new Date(NOW - 1) }),
        NOW,
        false,
      ).state,
    ).toBe('overdue');
  });

  it('puts failed first, then overdue, then pending, then by age over period', () => {
    const states = [
      rotationHealth(secret({ days: 30, lastRotatedAt: new Date(NOW - 2 * DAY) }), NOW, false),
      rotationHealth(secret(), NOW, false),
      rotationHealth(secret({ days: 30, lastRotatedAt: new Date(NOW - 40 * DAY) }), NOW, false),
      rotationHealth(secret({ days: 30, inProgress: true }), NOW, false),
      rotationHealth(secret({ days: 30, lastRotatedAt: new Date(NOW - 10 * DAY) }), NOW, false),
      rotationHealth(secret({ days: 30 }), NOW, true),
    ];
    expect([...states].sort(byUrgency).map((h) => `${h.state}:${Math.round(h.ageDays ?? -1)}`)).toEqual([
      'failed:400',
      'overdue:40',
      'pending:400',
      'ok:10',
      'ok:2',
      'not-rotated:400',
    ]);
  });
});

describe('rotationProgress', () => {
  const version = (stages: string[]): SecretVersion[] => [
    { versionId: 'v2', stages, createdAt: undefined, lastAccessedAt: undefined },
  ];

  it('follows the version from no label to AWSPENDING to AWSCURRENT', () => {
    const tracked = { startedAt: NOW, seenPending: false };
    expect(rotationProgress([], 'v2', tracked, NOW).steps.map((s) => s.state)).toEqual([
      'running',
      'waiting',
      'waiting',
      'waiting',
    ]);
    expect(rotationProgress(version(['AWSPENDING']), 'v2', tracked, NOW).steps.map((s) => s.state)).toEqual([
      'done',
      'running',
      'running',
      'waiting',
    ]);
    expect(rotationProgress(version(['AWSCURRENT']), 'v2', tracked, NOW)).toMatchObject({
      state: 'complete',
    });
  });

  it('fails when AWSPENDING goes without AWSCURRENT, or never comes', () => {
    const seen = { startedAt: NOW, seenPending: true };
    expect(rotationProgress(version([]), 'v2', seen, NOW)).toMatchObject({ state: 'failed' });
    const never = { startedAt: NOW, seenPending: false };
    expect(rotationProgress([], 'v2', never, NOW + NO_PENDING_GRACE_MS - 1).state).toBe('running');
    expect(rotationProgress([], 'v2', never, NOW + NO_PENDING_GRACE_MS).state).toBe('failed');
  });
});

describe('SessionStore', () => {
  it('redeems a login token once, within its lifetime', () => {
    let now = NOW;
    const store = new SessionStore({ now: () => now }, 1_000, 10_000);
    const token = store.issueLoginToken();
    const session = store.redeem(token);
    expect(session?.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.redeem(token)).toBeUndefined();
    const late = store.issueLoginToken();
    now += 1_000;
    expect(store.redeem(late)).toBeUndefined();
  });

  it('ends a session after the idle time', () => {
    let now = NOW;
    const store = new SessionStore({ now: () => now }, 1_000, 10_000);
    const session = store.redeem(store.issueLoginToken());
    now += 9_999;
    expect(store.touch(session?.id ?? '')).toBeDefined();
    now += 10_000;
    expect(store.touch(session?.id ?? '')).toBeUndefined();
  });

  it('compares tokens whole, whatever their lengths', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(tokensEqual('', 'abc')).toBe(false);
  });
});
