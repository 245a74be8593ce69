/**
 * One console for a browser test file: the local endpoint, a SecretsClient under the product's
 * RBAC preset with an in-memory audit trail the audit screen reads back, a way to seed secrets
 * as an admin, and `startConsole` in-process on 127.0.0.1 port 0.
 */
import { toAuditRecord, type AuditRecord } from '../../../lib/audit';
import { SecretsClient } from '../../../lib/client';
import { startConsole, type ConsoleOptions, type RunningConsole } from '../../../lib/console';
import { rbacPolicy, type Principal } from '../../../lib/policy';
import type { Page } from 'playwright-core';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

/** Who seeds the secrets: the admin role may create in every environment. */
export const SEEDER: Principal = Object.freeze({
  id: 'seeder',
  service: 'e2e',
  environment: 'console',
  roles: Object.freeze(['admin']),
});

/** A principal signing in to the console with the given product roles. */
export const operator = (id: string, roles: readonly string[]): Principal => ({
  id,
  service: 'console',
  environment: 'console',
  roles,
});

export type { RunningConsole };

export interface ConsoleFixture {
  readonly local: LocalFixture;
  readonly client: SecretsClient;
  /** Every audit event the client wrote, oldest first. */
  readonly events: AuditRecord[];
  /** The admin console (every environment, every button). */
  readonly console: RunningConsole;
  /** Another console over the same client and trail, signed in as `principal`. */
  startFor(principal: Principal, options?: Pick<ConsoleOptions, 'clock'>): Promise<RunningConsole>;
  /** Creates `<environment>/web/<name>` as JSON with the first value and puts each further one as a new version. */
  seedJson(name: string, environment: string, values: readonly object[]): Promise<string>;
  close(): Promise<void>;
}

/** Starts the endpoint, the client and the admin console; close it in `afterAll`. */
export async function startConsoleFixture(): Promise<ConsoleFixture> {
  const local = await startLocal();
  const policy = rbacPolicy();
  const events: AuditRecord[] = [];
  const client = new SecretsClient({
    secretsManager: local.sm(),
    kms: local.kms(),
    policy,
    audit: {
      record: (entry) => {
        const record = toAuditRecord(entry);
        if (record === undefined) throw new Error(`the client wrote an audit entry the format refuses`);
        events.push(record);
      },
    },
    cache: false,
  });
  const consoles: RunningConsole[] = [];
  const startFor = async (
    principal: Principal,
    options: Pick<ConsoleOptions, 'clock'> = {},
  ): Promise<RunningConsole> => {
    const running = await startConsole({ ...options, client, policy, principal, auditEvents: events });
    consoles.push(running);
    return running;
  };
  const seedJson = async (name: string, environment: string, values: readonly object[]): Promise<string> => {
    const [first, ...rest] = values;
    const ref = await client.create({
      name,
      kind: 'json',
      environment,
      service: 'web',
      value: first,
      principal: SEEDER,
    });
    for (const value of rest) await client.put(ref.name, value, { principal: SEEDER });
    return ref.name;
  };
  const running = await startFor(operator('ana', ['admin']));
  return {
    local,
    client,
    events,
    console: running,
    startFor,
    seedJson,
    close: async () => {
      await Promise.all(consoles.map((each) => each.close()));
      client.close();
      await local.endpoint.close();
    },
  };
}

/** Signs a fresh browser context in with a new one-time login URL; returns where it landed. */
export async function signIn(page: Page, running: RunningConsole): Promise<string> {
  const response = await page.goto(running.newLoginUrl());
  if (response?.status() !== 200) {
    throw new Error(
      `signing in answered ${response?.status()} at ${page.url()}: ${await page.textContent('body')}`,
    );
  }
  return new URL(page.url()).pathname;
}
