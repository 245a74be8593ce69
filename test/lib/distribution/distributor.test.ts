import { GetSecretValueCommand, ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { inspect } from 'node:util';
import { AccessPolicy } from '../../../lib/policy';
import { EnvelopeVerifier, Recipient, SealedEnvelope, generateRecipientKey } from '../../../lib/distribution';
import { isKeystageError } from '../../../lib/errors';
import { REPORTS, countCalls, total, world, type World } from './fixture';

const PLANTED = 'planted-Vq7x-9e4c1f0b-secret-value';
const NAME = 'prod/billing/db';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OPENED';
  } catch (error) {
    if (!isKeystageError(error)) throw error;
    return error.code;
  }
}

describe('sealed distribution', () => {
  let w: World;
  beforeAll(async () => {
    w = await world({ [NAME]: PLANTED });
  });
  afterAll(() => w.close());
  beforeEach(() => {
    w.events.length = 0;
  });

  describe('issue and open', () => {
    it('opens for its recipient and returns the value', async () => {
      const distributor = w.distributor();
      const { recipient } = await w.recipient(distributor);
      const envelope = await distributor.issue(NAME, {
        recipient: REPORTS.id,
        expiresIn: 60_000,
        maxUses: 2,
        purpose: 'monthly report',
      });
      expect(await recipient.open(envelope)).toBe(PLANTED);
      expect(await recipient.open(envelope.serialize())).toBe(PLANTED);
    });

    it('counts uses: validateUsage says what is left, when it expires, whether revoked', async () => {
      let now = 1_800_000_000_000;
      const distributor = w.distributor({ now: () => now });
      const { recipient } = await w.recipient(distributor, REPORTS, { now: () => now });
      const envelope = await distributor.issue(NAME, {
        recipient: REPORTS.id,
        expiresIn: 60_000,
        maxUses: 3,
        purpose: 'p',
      });
      expect(await distributor.validateUsage(envelope.id)).toMatchObject({
        uses: 0,
        maxUses: 3,
        remainingUses: 3,
        expired: false,
        revoked: false,
        valid: true,
        expiresAt: new Date(now + 60_000),
      });
      await recipient.open(envelope);
      expect(await distributor.validateUsage(envelope.id)).toMatchObject({ uses: 1, remainingUses: 2 });
      now += 60_000;
      expect(await distributor.validateUsage(envelope.id)).toMatchObject({
        uses: 1,
        expired: true,
        valid: false,
      });
    });

    it('refuses a wrong recipient with DECODE_ERROR and spends no use', async () => {
      const distributor = w.distributor();
      await w.recipient(distributor);
      const other = await w.recipient(distributor, { ...REPORTS, id: 'intruder' });
      const envelope = await distributor.issue(NAME, {
        recipient: REPORTS.id,
        expiresIn: 60_000,
        purpose: 'p',
      });
      expect(await codeOf(other.recipient.open(envelope))).toBe('DECODE_ERROR');
      expect((await distributor.validateUsage(envelope.id)).uses).toBe(0);
    });

    it('refuses a redemption request from someone who holds the envelope but not the key', async () => {
      const distributor = w.distributor();
      await w.recipient(distributor);
      const envelope = await distributor.issue(NAME, {
        recipient: REPORTS.id,
        expiresIn: 60_000,
        purpose: 'p',
      });
      const forged = {
        distributionId: envelope.id,
        recipientKey: envelope.recipientKey,
        nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
        requestedAt: Date.now(),
        proof: Buffer.alloc(32).toString('base64url'),
      };
      expect(await codeOf(distributor.redeem(forged))).toBe('DECODE_ERROR');
      expect((await distributor.validateUsage(envelope.id)).uses).toBe(0);
    });
  });

  describe('limits', () => {
    it('refuses after expiry with SECRET_EXPIRED (injected clock)', async () => {
      let now = 1_800_000_000_000;
      const distributor = w.distributor({ now: () => now });
      const { recipient } = await w.recipient(distributor, REPORTS, { now: () => now });
      const envelope = await distributor.issue(NAME, {
        recipient: REPORTS.id,
        expiresIn: 1000,
        purpose: 'p',
      });
      now += 999;
      expect(await recipient.open(envelope)).toBe(PLANTED);
      now += 1;
      expect(await codeOf(recipient.open(envelope))).toBe('SECRET_EXPIRED');
    });

    it('refuses once maxUses is spent with SECRET_REVOKED', async () => {
      const distributor = w.distributor();
      const { recipient } = await w.recipient(distributor);
      const envelope = await distributor.issue(NAME, {
        recipient: REPORTS.id,
        expiresIn: 60_000,
        maxUses: 2,
        purpose: 'p',
      });
      await recipient.open(envelope);
      await recipient.open(envelope);
      expect(await codeOf(recipient.open(envelope))).toBe('SECRET_REVOKED');
      expect(await distributor.validateUsage(envelope.id)).toMatchObject({
        uses: 2,
        remainingUses: 0,
        valid: false,
      });
    });

    it('refuses a revoked distribution with SECRET_REVOKED, even with the envelope in hand', async () => {
      const distributor = w.distributor();
      const { recipient, key } = await w.recipient(distributor);
      const envelope = await distributor.issue(NAME, {
        recipient: REPORTS.id,
        expiresIn: 60_000,
        maxUses: 5,
        purpose: 'p',
      });
      await recipient.open(envelope);
      const usage = await distributor.revoke(envelope.id, 'laptop lost');
      expect(usage).toMatchObject({
        revoked: true,
        revokedReason: 'laptop lost',
        remainingUses: 0,
        valid: false,
      });
      const error = await recipient.open(envelope).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'SECRET_REVOKED', reason: 'laptop lost' });
      // Another distributor (another process) reading the same record refuses too.
      const elsewhere = w.distributor();
      const sameKey = await w.recipient(elsewhere, REPORTS, { key });
      expect(await codeOf(sameKey.recipient.open(envelope))).toBe('SECRET_REVOKED');
    });
  });

  describe('access policy at redemption', () => {
    const policy = new AccessPolicy({
      rules: [
        {
          id: 'reports-prod-read',
          effect: 'allow',
          services: ['reports'],
          environments: ['prod'],
          secrets: ['prod/billing/**'],
          operations: ['read'],
          sourceCidrs: ['10.0.0.0/8'],
        },
      ],
    });

    it('lets a recipient in from an allowed block and refuses it from elsewhere (PERMISSION_DENIED)', async () => {
      const distributor = w.distributor({ policy });
      const inside = await w.recipient(distributor, REPORTS, { sourceIp: '10.1.2.3' });
      const envelope = await distributor.issue(NAME, {
        recipient: REPORTS.id,
        expiresIn: 60_000,
        maxUses: 3,
        purpose: 'p',
      });
      expect(await inside.recipient.open(envelope)).toBe(PLANTED);
      const error = await inside.recipient
        .open(envelope, { sourceIp: '203.0.113.9' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'PERMISSION_DENIED', rule: undefined });
      expect((error as { reason: string }).reason).toMatch(/no rule allows read of prod\/billing\/db/);
      expect((await distributor.validateUsage(envelope.id)).uses).toBe(1);
    });

    it('refuses a recipient registered in another environment', async () => {
      const distributor = w.distributor({ policy });
      const staging = { ...REPORTS, id: 'reports-staging', environment: 'staging' };
      const { recipient } = await w.recipient(distributor, staging, { sourceIp: '10.1.2.3' });
      const envelope = await distributor.issue(NAME, {
        recipient: staging.id,
        expiresIn: 60_000,
        purpose: 'p',
      });
      expect(await codeOf(recipient.open(envelope))).toBe('PERMISSION_DENIED');
    });

    it('names the deny rule that refused', async () => {
      const deny = new AccessPolicy({
        rules: [
          ...policy.rules,
          {
            id: 'freeze',
            effect: 'deny',
            secrets: ['prod/**'],
            operations: ['read'],
            description: 'change freeze',
          },
        ],
      });
      const distributor = w.distributor({ policy: deny });
      const { recipient } = await w.recipient(distributor, REPORTS, { sourceIp: '10.1.2.3' });
      const envelope = await distributor.issue(NAME, {
        recipient: REPORTS.id,
        expiresIn: 60_000,
        purpose: 'p',
      });
      await expect(recipient.open(envelope)).rejects.toMatchObject({
        code: 'PERMISSION_DENIED',
        rule: 'freeze',
      });
    });
  });

  describe('audit', () => {
    it('records one event per issue, open, refusal and revocation, each with its reason', async () => {
      const distributor = w.distributor();
      const { recipient } = await w.recipient(distributor);
      const other = await w.recipient(distributor, { ...REPORTS, id: 'intruder' });
      const envelope = await distributor.issue(NAME, {
        recipient: REPORTS.id,
        expiresIn: 60_000,
        maxUses: 1,
        purpose: 'quarterly close',
      });
      await recipient.open(envelope);
      await codeOf(recipient.open(envelope));
      await codeOf(other.recipient.open(envelope));
      await distributor.revoke(envelope.id, 'rotated early');
      await codeOf(recipient.open(envelope));
      // A character two from the end: always six whole bits of the signature (the last one
      // may carry only padding bits, which a strict decoder refuses as malformed instead).
      const serialized = envelope.serialize();
      const at = serialized.length - 3;
      const tampered =
        serialized.slice(0, at) + (serialized[at] === 'A' ? 'B' : 'A') + serialized.slice(at + 1);
      await codeOf(recipient.open(tampered));

      const summary = w.events.map((e) => [e.event_type, e.reason, e.details?.['refusal'] ?? null]);
      expect(summary).toEqual([
        ['secret_distribution_issued', 'quarterly close', null],
        ['secret_distribution_opened', 'quarterly close', null],
        ['secret_distribution_refused', 'used up: 1 of 1 uses', 'used_up'],
        ['secret_distribution_refused', 'sealed to another recipient key', 'wrong_recipient'],
        ['secret_distribution_revoked', 'rotated early', null],
        ['secret_distribution_refused', 'revoked: rotated early', 'revoked'],
        ['secret_distribution_refused', 'bad signature', 'tampered'],
      ]);
      expect(w.events[1]).toMatchObject({
        user_id: 'reports-job',
        secret_name: NAME,
        success: true,
        action: null,
      });
    });

    it('never shows the value, a key half or ciphertext: events, errors, JSON and inspect', async () => {
      const distributor = w.distributor();
      const { recipient, key } = await w.recipient(distributor);
      const envelope = await distributor.issue(NAME, {
        recipient: REPORTS.id,
        expiresIn: 60_000,
        purpose: 'p',
      });
      await recipient.open(envelope);
      const errors = [await recipient.open(envelope).catch((e: unknown) => e)];
      const record = await w.sm.send(
        new GetSecretValueCommand({ SecretId: `keystage/distributions/${envelope.id}` }),
      );
      const parsed = JSON.parse(record.SecretString!) as { keyHalf: string; proofKey: string };
      const serialized = envelope.serialize();
      const ciphertext = serialized.slice(7, serialized.lastIndexOf('.'));
      const shown = [
        JSON.stringify(w.events),
        inspect(w.events, { depth: 10 }),
        ...errors.map((e) => `${JSON.stringify(e)} ${inspect(e)} ${String(e)}`),
        JSON.stringify(envelope),
        inspect(envelope),
        JSON.stringify(recipient),
        inspect(recipient),
        JSON.stringify(key),
        inspect(key),
        JSON.stringify(distributor),
        inspect(distributor),
        JSON.stringify(await distributor.validateUsage(envelope.id)),
        record.SecretString!,
      ].join('\n');
      expect(shown).not.toContain(PLANTED);
      const eventsText = JSON.stringify(w.events);
      expect(eventsText).not.toContain(parsed.keyHalf);
      expect(eventsText).not.toContain(parsed.proofKey);
      expect(eventsText).not.toContain(ciphertext.slice(-40));
      expect(JSON.stringify(envelope) + inspect(envelope)).not.toContain(ciphertext.slice(-40));
      expect(JSON.stringify(key) + inspect(key)).not.toContain(
        Buffer.from(key.exportPrivateKey()).toString('base64url'),
      );
    });
  });

  describe('cost', () => {
    it('makes at most 3 KMS calls per open (here: one GetPublicKey for the verifier, then none)', async () => {
      const kms = w.local.kms();
      const sm = w.local.sm();
      const kmsCalls = countCalls(kms);
      const smCalls = countCalls(sm);
      const distributor = w.distributor({ signingKey: { keyId: w.keyId, kms }, secretsManager: sm });
      const key = await generateRecipientKey();
      distributor.registerRecipient({ principal: REPORTS, publicKey: key.publicKey });
      const recipient = new Recipient({
        key,
        distributor,
        verifier: new EnvelopeVerifier({ keyId: w.keyId, kms }),
      });
      const envelope = await distributor.issue(NAME, {
        recipient: REPORTS.id,
        expiresIn: 60_000,
        maxUses: 3,
        purpose: 'p',
      });
      expect(Object.fromEntries(kmsCalls)).toEqual({ GetPublicKeyCommand: 1, SignCommand: 1 });
      kmsCalls.clear();
      smCalls.clear();
      await recipient.open(envelope);
      expect(total(kmsCalls)).toBeLessThanOrEqual(3);
      expect(Object.fromEntries(kmsCalls)).toEqual({ GetPublicKeyCommand: 1 });
      expect(Object.fromEntries(smCalls)).toEqual({
        GetSecretValueCommand: 1,
        PutSecretValueCommand: 1,
        UpdateSecretVersionStageCommand: 1,
      });
      kmsCalls.clear();
      await recipient.open(envelope);
      expect(total(kmsCalls)).toBe(0);
      const versions = await sm.send(
        new ListSecretVersionIdsCommand({
          SecretId: `keystage/distributions/${envelope.id}`,
          IncludeDeprecated: true,
        }),
      );
      expect(versions.Versions!.length).toBe(3);
      kms.destroy();
      sm.destroy();
    });
  });

  it('parses only what it serialized', () => {
    expect(() => SealedEnvelope.parse('ksenv1.AAAA.AAAA')).toThrow(
      expect.objectContaining({ code: 'DECODE_ERROR' }),
    );
  });
});
