import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AccessDecision, AccessEvaluator, AccessRequest, Principal } from '../../../lib/client/access';
import type { SecretsClientOptions } from '../../../lib/client/options';
import { SecretsClient } from '../../../lib/client/secrets-client';
import { AccessPolicy, POLICY_OPERATIONS, type PolicyRule } from '../../../lib/policy';
import { kms, sm } from '../../support/client-fixture';
import { FakeClock } from '../../support/fake-clock';

export const ALICE: Principal = Object.freeze({
  id: 'alice',
  service: 'billing',
  environment: 'prod',
  roles: Object.freeze(['developer']),
});
export const BOB: Principal = Object.freeze({
  id: 'bob',
  service: 'billing',
  environment: 'prod',
  roles: Object.freeze(['admin']),
});

/**
 * The real AccessPolicy, recording every request it is asked; `rules` may be replaced
 * (a new policy is built), as a deployment swapping its policy would.
 */
export class RecordingPolicy implements AccessEvaluator {
  readonly requests: AccessRequest[] = [];
  #policy: AccessPolicy;
  constructor(rules: readonly PolicyRule[]) {
    this.#policy = new AccessPolicy({ rules });
  }

  set rules(rules: readonly PolicyRule[]) {
    this.#policy = new AccessPolicy({ rules });
  }

  evaluate(request: AccessRequest): AccessDecision {
    this.requests.push(request);
    return this.#policy.evaluate(request);
  }
}

/** A rule allowing every operation on every secret. */
export const allowAll = (extra: Partial<PolicyRule> = {}): PolicyRule => ({
  id: 'everything',
  effect: 'allow',
  secrets: ['**'],
  operations: POLICY_OPERATIONS,
  ...extra,
});

/** A SecretsClient over the SDK mocks (reset here) with a fake clock and the given governance options. */
export function governedClient(options: SecretsClientOptions = {}): {
  client: SecretsClient;
  clock: FakeClock;
} {
  sm.reset();
  kms.reset();
  const clock = new FakeClock();
  const client = new SecretsClient({
    secretsManager: new SecretsManagerClient({ maxAttempts: 1 }),
    kms: new KMSClient({ maxAttempts: 1 }),
    clock,
    ...options,
  });
  return { client, clock };
}
