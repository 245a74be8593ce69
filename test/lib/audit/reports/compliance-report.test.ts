import type { SecretListItem } from '../../../../lib';
import { complianceReport, type ComplianceSecret } from '../../../../lib/audit/reports';
import { FROM, TO, at, auditEvent, denial } from './fixtures';

const secret = (
  name: string,
  kind: string | undefined,
  lastRotatedAt?: string,
  extra: Partial<ComplianceSecret> = {},
): ComplianceSecret => ({
  name,
  rotation: { lastRotatedAt: lastRotatedAt === undefined ? undefined : new Date(lastRotatedAt) },
  keystage: { kind, status: 'active' },
  ...extra,
});

const secrets: ComplianceSecret[] = [
  secret('prod/billing/db', 'database', '2024-03-01T00:00:00.000Z'),
  secret('prod/billing/partner-api', 'api-key', '2024-04-01T00:00:00.000Z'),
  secret('prod/billing/webhook', 'webhook', '2023-10-01T00:00:00.000Z'),
  secret('prod/app/config', 'generic', undefined, { createdAt: new Date('2024-04-20T00:00:00.000Z') }),
  secret('prod/app/legacy', undefined),
  {
    name: 'prod/app/old-token',
    keystage: { kind: 'api-key', status: 'revoked', revokedAt: '2024-05-01T08:00:00.000Z' },
  },
];

const TOKEN = 'prod/app/old-token';
const events = [
  auditEvent({ timestamp: at('07:00'), secret_name: TOKEN }),
  denial({ timestamp: at('09:00'), secret_name: TOKEN, user_id: 'bo' }),
  auditEvent({ timestamp: at('10:00'), secret_name: TOKEN, success: false, reason: 'SECRET_REVOKED' }),
  auditEvent({ timestamp: at('11:00'), secret_name: TOKEN, success: false, reason: 'SECRET_REVOKED' }),
  auditEvent({
    timestamp: at('12:00'),
    secret_name: 'prod/app/other',
    user_id: 'carl',
    success: false,
    reason: 'SECRET_REVOKED',
  }),
  auditEvent({ timestamp: at('09:00'), user_id: null }),
  auditEvent({ timestamp: at('10:00'), user_id: null }),
  auditEvent({ timestamp: at('11:00'), user_id: null, service: null }),
  auditEvent({ timestamp: at('11:30'), user_id: null, event_type: 'secret_metadata', action: 'describe' }),
];

describe('complianceReport', () => {
  it('finds overdue and never-rotated secrets, revoked secrets still asked for, and reads without a principal', async () => {
    const report = await complianceReport(events, { from: FROM, to: TO, secrets });
    expect(report.rows).toEqual([
      {
        finding: 'rotation-overdue',
        secret: 'prod/billing/webhook',
        secretKind: 'webhook',
        rotationPeriodDays: 180,
        lastRotatedAt: '2023-10-01T00:00:00.000Z',
        dueAt: '2024-03-29T00:00:00.000Z',
        daysOverdue: 34,
      },
      {
        finding: 'rotation-overdue',
        secret: 'prod/billing/db',
        secretKind: 'database',
        rotationPeriodDays: 30,
        lastRotatedAt: '2024-03-01T00:00:00.000Z',
        dueAt: '2024-03-31T00:00:00.000Z',
        daysOverdue: 32,
      },
      {
        finding: 'never-rotated',
        secret: 'prod/app/legacy',
        secretKind: null,
        rotationPeriodDays: 90,
        lastRotatedAt: null,
        dueAt: null,
        daysOverdue: null,
      },
      {
        finding: 'never-rotated',
        secret: 'prod/app/config',
        secretKind: 'generic',
        rotationPeriodDays: 90,
        lastRotatedAt: null,
        dueAt: '2024-07-19T00:00:00.000Z',
        daysOverdue: 0,
      },
      {
        finding: 'revoked-still-requested',
        secret: TOKEN,
        revokedAt: '2024-05-01T08:00:00.000Z',
        requests: 3,
        principals: 2,
        firstAt: at('09:00'),
        lastAt: at('11:00'),
      },
      {
        finding: 'revoked-still-requested',
        secret: 'prod/app/other',
        revokedAt: null,
        requests: 1,
        principals: 1,
        firstAt: at('12:00'),
        lastAt: at('12:00'),
      },
      {
        finding: 'read-without-principal',
        secret: 'prod/billing/db',
        service: 'billing',
        count: 2,
        firstAt: at('09:00'),
        lastAt: at('10:00'),
      },
      {
        finding: 'read-without-principal',
        secret: 'prod/billing/db',
        service: null,
        count: 1,
        firstAt: at('11:00'),
        lastAt: at('11:00'),
      },
    ]);
    expect(report.secretsChecked).toBe(6);
  });

  it('takes rotation periods by kind and a default for the rest', async () => {
    const report = await complianceReport([], {
      from: FROM,
      to: TO,
      secrets: secrets.slice(0, 2),
      rotationPeriods: { database: 60 },
      defaultRotationDays: 10,
    });
    expect(report.rows.map((row) => ('daysOverdue' in row ? [row.secret, row.daysOverdue] : []))).toEqual([
      ['prod/billing/db', 2],
    ]);
  });

  it('reads the secrets from an async iterable, as SecretsClient.list() yields them', async () => {
    async function* listed() {
      yield* secrets;
    }
    const report = await complianceReport([], { from: FROM, to: TO, secrets: listed() });
    expect(report.secretsChecked).toBe(6);
  });

  it('takes SecretsClient.list() items as they come', async () => {
    const item: SecretListItem = {
      arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/billing/db-AbCdEf',
      name: 'prod/billing/db',
      description: undefined,
      kmsKeyId: undefined,
      createdAt: new Date('2024-01-01T00:00:00.000Z'),
      lastChangedAt: undefined,
      lastAccessedAt: undefined,
      deletionDate: undefined,
      primaryRegion: undefined,
      rotation: {
        enabled: false,
        lambdaArn: undefined,
        automaticallyAfterDays: undefined,
        scheduleExpression: undefined,
        duration: undefined,
        lastRotatedAt: undefined,
        nextRotationAt: undefined,
        inProgress: false,
      },
      tags: {},
      keystage: {
        environment: 'prod',
        service: 'billing',
        kind: 'database',
        status: 'active',
        revokedAt: undefined,
        revokedReason: undefined,
      },
    };
    const report = await complianceReport([], { from: FROM, to: TO, secrets: [item] });
    expect(
      report.rows.map((row) => [row.finding, 'daysOverdue' in row ? row.daysOverdue : undefined]),
    ).toEqual([['never-rotated', 92]]);
  });

  it.each([
    ['rotationPeriods.database', { rotationPeriods: { database: 0 } }],
    ['defaultRotationDays', { defaultRotationDays: -1 }],
    ['secrets', { secrets: [{ name: '' }] }],
  ])('refuses a bad %s', async (field, bad) => {
    await expect(complianceReport([], { from: FROM, to: TO, secrets, ...bad })).rejects.toMatchObject({
      field,
    });
  });
});
