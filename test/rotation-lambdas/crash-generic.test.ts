import fc from 'fast-check';
import { createGenericStrategy } from '../../rotation-lambdas/strategies/generic';
import { crashPlans, everyBoundary, runWithCrashes } from '../support/crash-harness';
import { SecretsManagerModel } from '../support/secrets-manager-model';

// RELIABILITY 9 for the generic strategy: a downstream system (the apply hook) learns each
// value; whatever the crashes, it ends holding AWSCURRENT and the rotation is complete.
describe('generic rotation under crash injection', () => {
  it('always completes with one AWSCURRENT that the downstream system holds', async () => {
    const crashedAfter = new Set<string>();
    await fc.assert(
      fc.asyncProperty(crashPlans(6), async (plan) => {
        const model = new SecretsManagerModel();
        model.create('svc/key', 'ks_first');
        let downstream = 'ks_first';
        const run = await runWithCrashes({
          model,
          secretId: 'svc/key',
          plan,
          build: (crash) =>
            createGenericStrategy({
              kind: 'api-key',
              apply: async (value) => {
                downstream = value;
                crash.effect('apply');
              },
              test: async (value) => {
                if (value !== downstream) throw new Error('downstream does not know the value');
              },
            }),
          during: async ({ token }) => {
            // Between crashes the service still answers with a complete old state or the new one.
            const stages = model.stages('svc/key');
            expect(Object.values(stages).filter((s) => s.includes('AWSCURRENT'))).toHaveLength(1);
            expect(stages[token]).toBeDefined();
          },
        });
        run.crashes.forEach((what) => crashedAfter.add(what));
        expect(model.complete('svc/key')).toBe(true);
        expect(model.stages('svc/key')[run.token]).toContain('AWSCURRENT');
        expect(model.value('svc/key')).toBe(downstream);
        expect(model.value('svc/key', 'AWSPREVIOUS')).toBe('ks_first');
        // One version was added, however many times createSecret ran.
        expect(Object.keys(model.stages('svc/key'))).toHaveLength(2);
      }),
      { numRuns: 300, examples: everyBoundary(4) },
    );
    // The plans did kill the function after every kind of side effect.
    expect([...crashedAfter].sort()).toEqual(['PutSecretValue', 'UpdateSecretVersionStage', 'apply']);
  });
});
