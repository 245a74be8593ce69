import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { AuditEntry } from '../../../../lib/audit/audit-event';
import { SecretsClient, type SecretsClientOptions } from '../../../../lib/client';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';

/** A value no output may ever show. */
export const PLANTED = 'planted-Zq81-copy-never-shown';

/** Commands that only read; everything else a Secrets Manager client sends is a write. */
const READ = /^(Get|Describe|List|BatchGet)/;

/** A crash: after `after` writes went through, the process dies `before` the next is sent, or just `after` it took effect. */
export interface CrashPoint {
  readonly after: number;
  readonly mode: 'before' | 'after';
}

export class InjectedCrash extends Error {
  constructor() {
    super('injected crash');
    this.name = 'InjectedCrash';
  }
}

/**
 * Wraps an SDK client's `send`: records every command by name and, with a crash point,
 * "kills" the process there: from then on every command fails, as nothing runs after a kill.
 */
export class SendRecorder {
  readonly commands: string[] = [];
  crash: CrashPoint | undefined;
  #dead = false;

  constructor(client: SecretsManagerClient) {
    const send = client.send.bind(client) as (command: object, ...rest: unknown[]) => Promise<unknown>;
    (client as { send: unknown }).send = async (command: object, ...rest: unknown[]) => {
      const name = command.constructor.name.replace(/Command$/, '');
      if (this.#dead) throw new InjectedCrash();
      const write = !READ.test(name);
      if (write && this.crash !== undefined && this.writes() === this.crash.after) {
        this.#dead = true;
        if (this.crash.mode === 'before') throw new InjectedCrash();
        this.commands.push(name);
        await send(command, ...rest);
        throw new InjectedCrash();
      }
      this.commands.push(name);
      return send(command, ...rest);
    };
  }

  writes(): number {
    return this.commands.filter((name) => !READ.test(name)).length;
  }

  writeCommands(): string[] {
    return this.commands.filter((name) => !READ.test(name));
  }
}

export interface CopyFixture {
  readonly local: LocalFixture;
  /** A client for seeding and inspecting, with no recorder. */
  readonly admin: SecretsClient;
  /** The raw SDK client behind `admin`. */
  readonly raw: SecretsManagerClient;
  readonly close: () => Promise<void>;
}

export async function copyFixture(): Promise<CopyFixture> {
  const local = await startLocal();
  const raw = local.sm();
  const admin = new SecretsClient({ secretsManager: raw, kms: local.kms(), cache: false });
  return { local, admin, raw, close: () => local.endpoint.close() };
}

/** A client whose sends are recorded, with its audit events; `cache: false` unless given. */
export function recordedClient(
  local: LocalFixture,
  options: SecretsClientOptions = {},
): { client: SecretsClient; recorder: SendRecorder; events: AuditEntry[] } {
  const sm = local.sm();
  const recorder = new SendRecorder(sm);
  const events: AuditEntry[] = [];
  const client = new SecretsClient({
    secretsManager: sm,
    kms: local.kms(),
    cache: false,
    audit: { record: (event) => void events.push(event) },
    ...options,
  });
  return { client, recorder, events };
}

/** One secret of an environment as the endpoint holds it. */
export interface SecretState {
  readonly name: string;
  readonly description: string | undefined;
  readonly kmsKeyId: string | undefined;
  readonly tags: Record<string, string>;
  readonly versionCount: number;
  /** Each version's stages, sorted, versions sorted. */
  readonly stages: string[][];
  /** AWSCURRENT's value (bytes as base64). */
  readonly value: string | undefined;
  readonly currentVersionId: string | undefined;
}

/** Every secret whose name starts with `prefix`, read with the raw SDK (not keystage), in name order. */
export async function stateOf(raw: SecretsManagerClient, prefix: string): Promise<SecretState[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await raw.send(
      new ListSecretsCommand({
        IncludePlannedDeletion: true,
        Filters: [{ Key: 'name', Values: [prefix] }],
        ...(token === undefined ? {} : { NextToken: token }),
      }),
    );
    for (const entry of page.SecretList ?? []) if (entry.Name!.startsWith(prefix)) names.push(entry.Name!);
    token = page.NextToken;
  } while (token !== undefined);
  names.sort();
  const states: SecretState[] = [];
  for (const name of names) {
    const described = await raw.send(new DescribeSecretCommand({ SecretId: name }));
    const versions = await raw.send(
      new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }),
    );
    const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) =>
      stages.includes('AWSCURRENT'),
    )?.[0];
    let value: string | undefined;
    if (current !== undefined && described.DeletedDate === undefined) {
      const read = await raw.send(new GetSecretValueCommand({ SecretId: name }));
      value = read.SecretString ?? Buffer.from(read.SecretBinary ?? new Uint8Array()).toString('base64');
    }
    states.push({
      name,
      description: described.Description,
      kmsKeyId: described.KmsKeyId,
      tags: Object.fromEntries((described.Tags ?? []).map((tag) => [tag.Key!, tag.Value ?? ''])),
      versionCount: versions.Versions?.length ?? 0,
      stages: (versions.Versions ?? []).map((version) => [...(version.VersionStages ?? [])].sort()).sort(),
      value,
      currentVersionId: current,
    });
  }
  return states;
}

/** The transform the scenarios use: the product's live-to-test key rename. */
export const LIVE_TO_TEST = { replace: '_live_', with: '_test_' } as const;

/** The copy the scenario is made for. */
export const SCENARIO_OPTIONS = {
  from: 'prod',
  to: 'staging',
  exclude: ['billing/legacy-*'],
  transform: [LIVE_TO_TEST],
  regenerate: ['billing/db', 'billing/webhook', 'search/signing'],
} as const;

/**
 * A production environment and a staging one that is partly there already, so that one
 * copy creates (copied and generated values), updates (value and tags, tags alone) and
 * skips (excluded, unchanged, a regenerated secret that exists). Seven writes.
 */
export async function seedScenario(admin: SecretsClient): Promise<void> {
  const prod = { environment: 'prod' } as const;
  const staging = { environment: 'staging' } as const;
  await admin.create({
    ...prod,
    service: 'billing',
    name: 'stripe_live_key',
    kind: 'generic',
    value: `sk_live_${PLANTED}`,
    description: 'Stripe secret key',
    tags: { owner: 'billing' },
  });
  await admin.create({
    ...prod,
    service: 'billing',
    name: 'config',
    kind: 'json',
    value: { api_live_url: 'https://api.example', token: PLANTED },
  });
  await admin.create({
    ...prod,
    service: 'billing',
    name: 'db',
    kind: 'database',
    value: {
      engine: 'postgres',
      host: 'db.prod.internal',
      port: 5432,
      username: 'billing',
      password: PLANTED,
      ssl: false,
    },
  });
  await admin.create({ ...prod, service: 'billing', name: 'webhook', kind: 'symmetric-key' });
  await admin.create({
    ...prod,
    service: 'billing',
    name: 'legacy-token',
    kind: 'generic',
    value: `legacy-${PLANTED}`,
  });
  await admin.create({
    ...prod,
    service: 'search',
    name: 'api',
    kind: 'generic',
    value: `search-${PLANTED}`,
    tags: { owner: 'search' },
  });
  await admin.create({
    ...prod,
    service: 'search',
    name: 'index-key',
    kind: 'generic',
    value: `index-${PLANTED}`,
    tags: { team: 'search' },
  });
  await admin.create({ ...prod, service: 'search', name: 'same', kind: 'generic', value: `same-${PLANTED}` });
  await admin.create({
    ...prod,
    service: 'search',
    name: 'signing',
    kind: 'generic',
    value: `signing-${PLANTED}`,
  });

  await admin.create({
    ...staging,
    service: 'search',
    name: 'api',
    kind: 'generic',
    value: 'staging-old-value',
  });
  await admin.create({
    ...staging,
    service: 'search',
    name: 'index-key',
    kind: 'generic',
    value: `index-${PLANTED}`,
  });
  await admin.create({
    ...staging,
    service: 'search',
    name: 'same',
    kind: 'generic',
    value: `same-${PLANTED}`,
  });
  await admin.create({
    ...staging,
    service: 'search',
    name: 'signing',
    kind: 'generic',
    value: 'staging-own-signing',
  });
}
