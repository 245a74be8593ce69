import fc from 'fast-check';
import { X509Certificate } from 'node:crypto';
import {
  createCertificateAuthority,
  issueCertificate,
  parseCertificateSecret,
  type CertificateBundle,
} from '../../lib/generate';
import { createCertificateStrategy } from '../../rotation-lambdas/strategies/certificate';
import { crashPlans, everyBoundary, runWithCrashes } from '../support/crash-harness';
import { SecretsManagerModel } from '../support/secrets-manager-model';

// RELIABILITY 9 for the certificate strategy: killed after any Secrets Manager write, retried or
// restarted, the rotation completes with one new certificate from the CA, and the old one is
// AWSPREVIOUS.
let ca: CertificateBundle;
let first: string;

beforeAll(async () => {
  ca = await createCertificateAuthority({ commonName: 'Crash CA' });
  first = (await issueCertificate(ca, { commonName: 'svc.internal' })).toSecretString();
});

describe('certificate rotation under crash injection', () => {
  it('always completes with one AWSCURRENT certificate issued by the CA', async () => {
    const crashedAfter = new Set<string>();
    await fc.assert(
      fc.asyncProperty(crashPlans(4), async (plan) => {
        const model = new SecretsManagerModel();
        model.create('pki/ca', ca.toSecretString());
        model.create('svc/tls', first);
        const run = await runWithCrashes({
          model,
          secretId: 'svc/tls',
          plan,
          build: () => createCertificateStrategy({ caSecretId: 'pki/ca' }),
        });
        run.crashes.forEach((what) => crashedAfter.add(what));
        expect(model.complete('svc/tls')).toBe(true);
        expect(model.stages('svc/tls')[run.token]).toContain('AWSCURRENT');
        expect(model.value('svc/tls', 'AWSPREVIOUS')).toBe(first);
        const current = parseCertificateSecret(model.value('svc/tls')!);
        expect(
          new X509Certificate(current.certificate).checkIssued(new X509Certificate(ca.certificate)),
        ).toBe(true);
        // One version was added, however many times createSecret ran.
        expect(Object.keys(model.stages('svc/tls'))).toHaveLength(2);
      }),
      { numRuns: 60, examples: everyBoundary(2) },
    );
    expect([...crashedAfter].sort()).toEqual(['PutSecretValue', 'UpdateSecretVersionStage']);
  });
});
