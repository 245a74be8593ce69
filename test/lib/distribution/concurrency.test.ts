import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { isKeystageError } from '../../../lib/errors';
import { REPORTS, world, type World } from './fixture';

const PLANTED = 'planted-concurrency-51be-secret';
const NAME = 'prod/billing/webhook';

async function openAll(opens: Array<Promise<string>>): Promise<Map<string, number>> {
  const outcomes = new Map<string, number>();
  for (const result of await Promise.allSettled(opens)) {
    let key: string;
    if (result.status === 'fulfilled') key = result.value === PLANTED ? 'OPENED' : 'WRONG';
    else key = isKeystageError(result.reason) ? result.reason.code : String(result.reason);
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  }
  return outcomes;
}

async function recordUses(w: World, id: string): Promise<number> {
  const answer = await w.sm.send(new GetSecretValueCommand({ SecretId: `keystage/distributions/${id}` }));
  return (JSON.parse(answer.SecretString!) as { uses: number }).uses;
}

describe('sealed distribution under concurrent opens', () => {
  let w: World;
  beforeAll(async () => {
    w = await world({ [NAME]: PLANTED });
  });
  afterAll(() => w.close());

  it('200 concurrent opens of a maxUses 5 envelope: exactly 5 open, the rest SECRET_REVOKED', async () => {
    const distributor = w.distributor();
    const { recipient } = await w.recipient(distributor);
    const envelope = await distributor.issue(NAME, {
      recipient: REPORTS.id,
      expiresIn: 600_000,
      maxUses: 5,
      purpose: 'load',
    });
    w.events.length = 0;
    const outcomes = await openAll(Array.from({ length: 200 }, () => recipient.open(envelope)));
    expect(Object.fromEntries(outcomes)).toEqual({ OPENED: 5, SECRET_REVOKED: 195 });
    expect(await recordUses(w, envelope.id)).toBe(5);
    expect(w.events.filter((e) => e.event_type === 'secret_distribution_opened')).toHaveLength(5);
    expect(w.events.filter((e) => e.event_type === 'secret_distribution_refused')).toHaveLength(195);
  });

  it('200 opens spread over 4 distributors (processes) racing on one record: the CAS still allows exactly 5', async () => {
    const distributors = Array.from({ length: 4 }, () => w.distributor());
    const first = await w.recipient(distributors[0]!);
    const recipients = [first.recipient];
    for (const distributor of distributors.slice(1)) {
      recipients.push((await w.recipient(distributor, REPORTS, { key: first.key })).recipient);
    }
    const envelope = await distributors[0]!.issue(NAME, {
      recipient: REPORTS.id,
      expiresIn: 600_000,
      maxUses: 5,
      purpose: 'race',
    });
    w.events.length = 0;
    const outcomes = await openAll(Array.from({ length: 200 }, (_, i) => recipients[i % 4]!.open(envelope)));
    expect(Object.fromEntries(outcomes)).toEqual({ OPENED: 5, SECRET_REVOKED: 195 });
    expect(await recordUses(w, envelope.id)).toBe(5);
    expect(w.events).toHaveLength(200);
  });

  it('a revocation racing opens: nothing opens after it lands', async () => {
    const distributor = w.distributor();
    const { recipient } = await w.recipient(distributor);
    const envelope = await distributor.issue(NAME, {
      recipient: REPORTS.id,
      expiresIn: 600_000,
      maxUses: 100,
      purpose: 'race',
    });
    const opens = Array.from({ length: 20 }, () => recipient.open(envelope));
    const revoked = distributor.revoke(envelope.id, 'incident');
    const outcomes = await openAll(opens);
    const usage = await revoked;
    expect((outcomes.get('OPENED') ?? 0) + (outcomes.get('SECRET_REVOKED') ?? 0)).toBe(20);
    expect(usage.uses).toBe(outcomes.get('OPENED') ?? 0);
    await expect(recipient.open(envelope)).rejects.toMatchObject({ code: 'SECRET_REVOKED' });
  });
});
