import type { KMSClient } from '@aws-sdk/client-kms';
import { AccessPolicy, SecretsClient, isKeystageError } from 'keystage';
import {
  Distributor,
  EnvelopeVerifier,
  Recipient,
  SealedEnvelope,
  generateRecipientKey,
} from 'keystage/distribution';

export async function distributionExample(secrets: SecretsClient, kms: KMSClient, keyId: string) {
  // keyId: a KMS key with KeySpec ECC_NIST_P256 and KeyUsage SIGN_VERIFY (it signs envelopes).
  const distributor = new Distributor({
    secrets, // reads the secret at issue time, with its own policy, audit and cache
    signingKey: { keyId, kms },
    // Checked at every open, for the recipient as registered and where it opens from.
    policy: new AccessPolicy({
      rules: [
        {
          id: 'reports-read-billing',
          effect: 'allow',
          services: ['reports'],
          environments: ['prod'],
          secrets: ['prod/billing/**'],
          operations: ['read'],
          sourceCidrs: ['10.0.0.0/8'],
        },
      ],
    }),
  });

  // The recipient makes a key pair and registers the public half (it is not secret).
  const key = await generateRecipientKey();
  distributor.registerRecipient({
    principal: { id: 'reports-job', service: 'reports', environment: 'prod', roles: [] },
    publicKey: key.publicKey,
  });

  // Issue: sealed to that key, opens at most twice within 15 minutes.
  const envelope = await distributor.issue('prod/billing/db', {
    recipient: 'reports-job',
    expiresIn: 15 * 60_000,
    maxUses: 2,
    purpose: 'monthly billing report',
  });
  const text = envelope.serialize(); // 'ksenv1.…': send it any way you like

  // The recipient opens it: signature checked locally, one use redeemed, value decrypted.
  const recipient = new Recipient({
    key,
    distributor, // or any Redeemer, e.g. a client of the distributor over HTTPS
    verifier: new EnvelopeVerifier({ keyId, kms }), // one GetPublicKey, cached
    sourceIp: '10.0.4.2',
  });
  const value = await recipient.open(SealedEnvelope.parse(text));

  const before = await distributor.validateUsage(envelope.id); // { uses: 1, remainingUses: 1, valid: true, … }
  await distributor.revoke(envelope.id, 'report done');
  let refused = '';
  try {
    await recipient.open(text); // the envelope is still in hand, but the record says no
  } catch (error) {
    if (isKeystageError(error)) refused = error.code; // 'SECRET_REVOKED'
  }
  const after = await distributor.validateUsage(envelope.id); // { revoked: true, remainingUses: 0, … }
  return { value, before, after, refused };
}
