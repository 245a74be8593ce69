import { ECSClient } from '@aws-sdk/client-ecs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { inspect } from 'node:util';
import { SecretsClient } from '../../../../lib/client';
import { FakeClock } from '../../../support/fake-clock';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { OutputCapture } from '../../../support/output-capture';

/** A value planted in the secrets; no request, result, error, log or audit event may contain it. */
export const PLANTED = 'planted-Zq8#kW2!value';

export interface WorkloadFixture {
  readonly local: LocalFixture;
  readonly client: SecretsClient;
  readonly capture: OutputCapture;
  readonly clock: FakeClock;
  /** Secrets Manager commands the client sent, by name. */
  readonly smCommands: string[];
  /** The full ARNs of the secrets, by name. */
  readonly arns: Record<'db' | 'stripe', string>;
  readonly ecs: ECSClient;
  readonly lambda: LambdaClient;
  readonly ssm: SSMClient;
  /** Stores a new AWSCURRENT version of a secret (a rotation, as far as consumers can tell). */
  rotate(name: 'db' | 'stripe'): Promise<string>;
  close(): Promise<void>;
}

function recordCommands(sm: SecretsManagerClient, into: string[]): SecretsManagerClient {
  (sm.middlewareStack as { add: (mw: unknown, opts: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
      into.push((context.commandName ?? '').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'record-commands' },
  );
  return sm;
}

/**
 * The local Secrets Manager endpoint with two secrets holding the planted value, a
 * SecretsClient over it that audits and logs into a capture, and the ECS, Lambda and SSM
 * clients the mocks answer for.
 */
export async function workloadFixture(): Promise<WorkloadFixture> {
  const local = await startLocal();
  try {
    return await withSecrets(local);
  } catch (error) {
    await local.endpoint.close();
    throw error;
  }
}

async function withSecrets(local: LocalFixture): Promise<WorkloadFixture> {
  const capture = new OutputCapture();
  const smCommands: string[] = [];
  const setup = new SecretsClient({ secretsManager: local.sm(), kms: local.kms() });
  const db = await setup.create({
    name: 'db',
    kind: 'json',
    environment: 'prod',
    service: 'billing',
    value: JSON.stringify({ username: 'billing_app', password: PLANTED }),
  });
  const stripe = await setup.create({
    name: 'stripe',
    kind: 'generic',
    environment: 'prod',
    service: 'billing',
    value: `sk_${PLANTED}`,
  });
  const clock = new FakeClock();
  const client = new SecretsClient({
    secretsManager: recordCommands(local.sm(), smCommands),
    kms: local.kms(),
    audit: capture.audit,
    logger: capture.logger,
    cache: false,
  });
  let rotations = 0;
  return {
    local,
    client,
    capture,
    clock,
    smCommands,
    arns: { db: db.arn, stripe: stripe.arn },
    ecs: new ECSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    lambda: new LambdaClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
    ssm: new SSMClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    rotate: async (name) => {
      rotations++;
      const value =
        name === 'db'
          ? JSON.stringify({ username: 'billing_app', password: `${PLANTED}-${rotations}` })
          : `sk_${PLANTED}-${rotations}`;
      return setup.put(`prod/billing/${name}`, value);
    },
    close: async () => {
      client.close();
      setup.close();
      await local.endpoint.close();
    },
  };
}

/** Everything a test saw: audit events, logs, and the given results and errors inspected and as JSON. */
export function exposed(fixture: WorkloadFixture, ...things: unknown[]): string {
  return [
    fixture.capture.text(),
    ...things.map((thing) => `${inspect(thing, { depth: 12 })}\n${JSON.stringify(thing)}`),
    ...things.map((thing) => (thing instanceof Error ? causes(thing) : '')),
  ].join('\n');
}

function causes(error: Error): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error) {
    parts.push(`${current.name} ${current.message} ${current.stack ?? ''}`);
    current = current.cause;
  }
  return parts.join('\n');
}
