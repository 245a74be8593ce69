import { CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AuditEntry, AuditSink } from '../../../lib/audit/audit-event';
import { SecretsClient } from '../../../lib/client';
import {
  Distributor,
  EnvelopeVerifier,
  Recipient,
  generateRecipientKey,
  type DistributorOptions,
  type RecipientKey,
} from '../../../lib/distribution';
import type { Principal } from '../../../lib/policy/principal';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

/** Counts the commands a client sends, by name. */
export function countCalls(client: KMSClient | SecretsManagerClient): Map<string, number> {
  const counts = new Map<string, number>();
  (client.middlewareStack as { add: (mw: unknown, opts: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
      const name = context.commandName ?? 'unknown';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return counts;
}

export const total = (counts: Map<string, number>): number => [...counts.values()].reduce((a, b) => a + b, 0);

export const REPORTS: Principal = {
  id: 'reports-job',
  service: 'reports',
  environment: 'prod',
  roles: [],
};

export interface World {
  readonly local: LocalFixture;
  readonly sm: SecretsManagerClient;
  readonly kms: KMSClient;
  readonly keyId: string;
  readonly events: AuditEntry[];
  readonly audit: AuditSink;
  readonly secrets: SecretsClient;
  distributor(options?: Partial<DistributorOptions>): Distributor;
  recipient(
    distributor: Distributor,
    principal?: Principal,
    extra?: { sourceIp?: string; now?: () => number; key?: RecipientKey },
  ): Promise<{ recipient: Recipient; key: RecipientKey }>;
  close(): Promise<void>;
}

/** A local endpoint with a signing key, one secret per name given, a distributor factory. */
export async function world(values: Record<string, string>): Promise<World> {
  const local = await startLocal();
  const sm = local.sm();
  const kms = local.kms();
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
  );
  for (const [name, value] of Object.entries(values)) {
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  }
  const events: AuditEntry[] = [];
  const audit: AuditSink = { record: (entry) => void events.push(entry) };
  const secrets = new SecretsClient({ secretsManager: sm, kms });
  const keyId = KeyMetadata!.Arn!;
  return {
    local,
    sm,
    kms,
    keyId,
    events,
    audit,
    secrets,
    distributor: (options = {}) =>
      new Distributor({ secrets, signingKey: { keyId, kms }, audit, ...options }),
    recipient: async (distributor, principal = REPORTS, extra = {}) => {
      const key = extra.key ?? (await generateRecipientKey());
      distributor.registerRecipient({ principal, publicKey: key.publicKey });
      const recipient = new Recipient({
        key,
        distributor,
        verifier: new EnvelopeVerifier({ keyId, kms }),
        audit,
        ...(extra.sourceIp === undefined ? {} : { sourceIp: extra.sourceIp }),
        ...(extra.now === undefined ? {} : { now: extra.now }),
      });
      return { recipient, key };
    },
    close: async () => {
      secrets.close();
      sm.destroy();
      kms.destroy();
      await local.endpoint.close();
    },
  };
}
