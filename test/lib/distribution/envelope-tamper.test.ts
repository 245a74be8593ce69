import { envelopeBody, envelopeParts, type EnvelopeFacts } from '../../../lib/distribution/envelope';
import {
  EnvelopeVerifier,
  Recipient,
  type Distributor,
  type RecipientKey,
  type SealedEnvelope,
} from '../../../lib/distribution';
import { isKeystageError } from '../../../lib/errors';
import { REPORTS, world, type World } from './fixture';

const PLANTED = 'planted-tamper-7c1d2e-secret';
const NAME = 'prod/billing/api-key';

/** What open answers, as a code; the value itself only as 'OPENED'. */
async function outcome(recipient: Recipient, envelope: SealedEnvelope | string): Promise<string> {
  try {
    const value = await recipient.open(envelope);
    return value === PLANTED ? 'OPENED' : 'OPENED-WRONG-VALUE';
  } catch (error) {
    if (!isKeystageError(error)) throw error;
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(PLANTED);
    return error.code;
  }
}

/** Rebuilds an envelope's text from changed facts or parts and the original signature. */
function rebuilt(
  envelope: SealedEnvelope,
  change: (facts: EnvelopeFacts, parts: ReturnType<typeof envelopeParts>['parts']) => void,
): string {
  const { parts, signature } = envelopeParts(envelope);
  const facts = { ...envelope.toJSON() } as EnvelopeFacts & { sealedBytes?: number };
  delete facts.sealedBytes;
  const copy = {
    enc: Buffer.from(parts.enc),
    proofEnc: Buffer.from(parts.proofEnc),
    ciphertext: Buffer.from(parts.ciphertext),
  };
  change(facts, copy);
  return `ksenv1.${envelopeBody(facts, copy).toString('base64url')}.${signature.toString('base64url')}`;
}

describe('sealed envelope tamper suite', () => {
  let w: World;
  let distributor: Distributor;
  let recipient: Recipient;
  let key: RecipientKey;
  let envelope: SealedEnvelope;

  beforeAll(async () => {
    w = await world({ [NAME]: PLANTED });
    distributor = w.distributor();
    ({ recipient, key } = await w.recipient(distributor));
    envelope = await distributor.issue(NAME, {
      recipient: REPORTS.id,
      expiresIn: 600_000,
      maxUses: 1000,
      purpose: 'tamper',
    });
  });
  afterAll(() => w.close());

  it('opens untouched (the suite would otherwise prove nothing)', async () => {
    expect(await outcome(recipient, envelope.serialize())).toBe('OPENED');
  });

  const textChanges: Record<string, (facts: EnvelopeFacts) => void> = {
    id: (f) => Object.assign(f, { id: f.id.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }),
    secretName: (f) => Object.assign(f, { secretName: 'prod/billing/other' }),
    secretVersionId: (f) => Object.assign(f, { secretVersionId: `${f.secretVersionId}x` }),
    recipient: (f) => Object.assign(f, { recipient: 'someone-else' }),
    purpose: (f) => Object.assign(f, { purpose: 'other' }),
    issuedAt: (f) => Object.assign(f, { issuedAt: f.issuedAt - 1 }),
    expiresAt: (f) => Object.assign(f, { expiresAt: f.expiresAt + 86_400_000 }),
    maxUses: (f) => Object.assign(f, { maxUses: f.maxUses + 1 }),
    signingKeyId: (f) => Object.assign(f, { signingKeyId: `${f.signingKeyId}0` }),
  };
  it.each(Object.keys(textChanges))('refuses a changed %s with DECODE_ERROR', async (field) => {
    expect(
      await outcome(
        recipient,
        rebuilt(envelope, (facts) => textChanges[field]!(facts)),
      ),
    ).toBe('DECODE_ERROR');
  });

  it.each(['enc', 'proofEnc', 'ciphertext'] as const)(
    'refuses a changed %s with DECODE_ERROR',
    async (part) => {
      const text = rebuilt(envelope, (_facts, parts) => {
        (parts[part] as Buffer)[0]! ^= 0x01;
      });
      expect(await outcome(recipient, text)).toBe('DECODE_ERROR');
    },
  );

  it('refuses every flipped byte of the serialized envelope, signature included, and spends no use', async () => {
    const text = Buffer.from(envelope.serialize(), 'utf8');
    const before = (await distributor.validateUsage(envelope.id)).uses;
    const outcomes = new Map<string, number>();
    for (let index = 0; index < text.length; index += 1) {
      for (const bit of [0x01, 0x20]) {
        const changed = Buffer.from(text);
        changed[index]! ^= bit;
        const result = await outcome(recipient, changed.toString('latin1'));
        outcomes.set(result, (outcomes.get(result) ?? 0) + 1);
      }
    }
    expect([...outcomes.keys()]).toEqual(['DECODE_ERROR']);
    expect(outcomes.get('DECODE_ERROR')).toBe(text.length * 2);
    expect((await distributor.validateUsage(envelope.id)).uses).toBe(before);
  });

  it('refuses a truncated or extended envelope', async () => {
    const text = envelope.serialize();
    for (const changed of [
      text.slice(0, -1),
      `${text}A`,
      text.slice(0, text.lastIndexOf('.')),
      `${text}.AAAA`,
    ]) {
      expect(await outcome(recipient, changed)).toBe('DECODE_ERROR');
    }
  });

  it('refuses a redemption answer that was changed', async () => {
    const tamperingRedeemer = {
      redeem: async (request: Parameters<Distributor['redeem']>[0]) => {
        const answer = await distributor.redeem(request);
        const sealed = Buffer.from(answer.sealedHalf, 'base64url');
        sealed[0]! ^= 1;
        return { ...answer, sealedHalf: sealed.toString('base64url') };
      },
    };
    const changed = new Recipient({
      key,
      distributor: tamperingRedeemer,
      verifier: new EnvelopeVerifier({ keyId: w.keyId, kms: w.kms }),
    });
    expect(await outcome(changed, envelope)).toBe('DECODE_ERROR');
  });
});
