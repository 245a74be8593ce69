import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { performance } from 'node:perf_hooks';
import { SecretsClient } from '../../lib/client';
import { Distributor, EnvelopeVerifier, Recipient, generateRecipientKey } from '../../lib/distribution';
import { median } from '../machine';

// Sealed distribution against a running local endpoint (`url`): ms per issue (one secret
// read, two HPKE setups, one KMS Sign, one CreateSecret) and per open (signature check,
// one redemption: GetSecretValue + PutSecretValue + UpdateSecretVersionStage, three HPKE
// contexts), and the AWS calls per open. The lead's bench main starts the endpoint.

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'us-east-1';
const NAME = 'prod/bench/distributed';
const RUNS = 5;
const PER_RUN = 20;

function counter(client: KMSClient | SecretsManagerClient): Map<string, number> {
  const counts = new Map<string, number>();
  (client.middlewareStack as { add: (mw: unknown, opts: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
      const name = context.commandName ?? 'unknown';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchCount' },
  );
  return counts;
}

const sum = (counts: Map<string, number>): number => [...counts.values()].reduce((a, b) => a + b, 0);

/**
 * Markdown table rows (`| what | number |`, no header) for sealed distribution against the
 * endpoint at `url`.
 * @example
 * const rows = await distributionRows(endpoint.url);
 */
export async function distributionRows(url: string): Promise<string[]> {
  const sm = new SecretsManagerClient({ endpoint: url, region, credentials, maxAttempts: 1 });
  const kms = new KMSClient({ endpoint: url, region, credentials, maxAttempts: 1 });
  const secrets = new SecretsClient({ secretsManager: sm, kms });
  try {
    const name = `${NAME}-${Date.now()}`;
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'bench-value' }));
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
    );
    const keyId = KeyMetadata!.Arn!;
    const distributor = new Distributor({ secrets, signingKey: { keyId, kms } });
    const key = await generateRecipientKey();
    distributor.registerRecipient({
      principal: { id: 'bench', service: 'bench', environment: 'prod', roles: [] },
      publicKey: key.publicKey,
    });
    const recipient = new Recipient({ key, distributor, verifier: new EnvelopeVerifier({ keyId, kms }) });
    const issue = () => distributor.issue(name, { recipient: 'bench', expiresIn: 600_000, purpose: 'bench' });

    const kmsCalls = counter(kms);
    const smCalls = counter(sm);
    // One round outside the numbers: the signer's and the verifier's GetPublicKey, warm sockets.
    await recipient.open(await issue());
    const issueMs: number[] = [];
    const openMs: number[] = [];
    let kmsPerOpen = 0;
    let smPerOpen = 0;
    for (let run = 0; run < RUNS; run += 1) {
      const envelopes = [];
      let start = performance.now();
      for (let i = 0; i < PER_RUN; i += 1) envelopes.push(await issue());
      issueMs.push((performance.now() - start) / PER_RUN);
      kmsCalls.clear();
      smCalls.clear();
      start = performance.now();
      for (const envelope of envelopes) await recipient.open(envelope);
      openMs.push((performance.now() - start) / PER_RUN);
      kmsPerOpen = Math.max(kmsPerOpen, sum(kmsCalls) / PER_RUN);
      smPerOpen = Math.max(smPerOpen, sum(smCalls) / PER_RUN);
    }
    return [
      `| sealed distribution: issue (read, 2 HPKE setups, KMS Sign, CreateSecret) | ${median(issueMs).toFixed(2)} ms |`,
      `| sealed distribution: open (verify locally, redeem by CAS, 3 HPKE contexts) | ${median(openMs).toFixed(2)} ms |`,
      `| sealed distribution: KMS calls per open (target ≤ 3; 1 on a recipient's first) | ${kmsPerOpen.toFixed(2)} |`,
      `| sealed distribution: Secrets Manager calls per open | ${smPerOpen.toFixed(2)} |`,
    ];
  } finally {
    secrets.close();
    sm.destroy();
    kms.destroy();
  }
}
