import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsClient } from '../../../../lib/client';
import type { SecretKind } from '../../../../lib/core';
import type { LocalFixture } from '../../../support/local-endpoint';

/** A secret to seed: keystage-tagged as `create` would tag it. */
export interface Seed {
  readonly environment: string;
  readonly service: string;
  readonly name: string;
  readonly kind: SecretKind;
  readonly value: string | Uint8Array;
  /** Extra versions put after the first, each becoming AWSCURRENT, with optional extra labels. */
  readonly later?: ReadonlyArray<{ readonly value: string; readonly stages?: readonly string[] }>;
  readonly tags?: Readonly<Record<string, string>>;
}

export function fullName(seed: Pick<Seed, 'environment' | 'service' | 'name'>): string {
  return `${seed.environment}/${seed.service}/${seed.name}`;
}

/** Creates the seeds through the raw SDK (not through the code under test). */
export async function seed(sm: SecretsManagerClient, seeds: readonly Seed[]): Promise<void> {
  for (const one of seeds) {
    const name = fullName(one);
    await sm.send(
      new CreateSecretCommand({
        Name: name,
        ...(typeof one.value === 'string' ? { SecretString: one.value } : { SecretBinary: one.value }),
        Description: `${one.name} for ${one.service}`,
        Tags: Object.entries({
          'keystage:environment': one.environment,
          'keystage:service': one.service,
          'keystage:type': one.kind,
          'keystage:status': 'active',
          ...one.tags,
        }).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    for (const later of one.later ?? []) {
      await sm.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: later.value,
          ...(later.stages === undefined ? {} : { VersionStages: [...later.stages] }),
        }),
      );
    }
  }
}

/** A secret as the endpoint holds it: everything an import may change, values as text. */
export interface SecretState {
  readonly name: string;
  readonly description: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** Labelled versions: VersionId -> labels (sorted) and value (base64 for binary). */
  readonly versions: Readonly<Record<string, { readonly stages: readonly string[]; readonly value: string }>>;
  /** Every version, labelled or not (ListSecretVersionIds with deprecated ones): duplicates show here. */
  readonly versionCount: number;
}

/** The whole endpoint's state under `prefix`, sorted, for comparing two runs. */
export async function snapshot(sm: SecretsManagerClient, prefix = ''): Promise<SecretState[]> {
  const states: SecretState[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sm.send(
      new ListSecretsCommand({ MaxResults: 100, NextToken, IncludePlannedDeletion: true }),
    );
    for (const entry of page.SecretList ?? []) {
      if (!entry.Name!.startsWith(prefix)) continue;
      const described = await sm.send(new DescribeSecretCommand({ SecretId: entry.ARN! }));
      const versions: Record<string, { stages: string[]; value: string }> = {};
      for (const [versionId, stages] of Object.entries(described.VersionIdsToStages ?? {})) {
        const read = await sm.send(new GetSecretValueCommand({ SecretId: entry.ARN!, VersionId: versionId }));
        versions[versionId] = {
          stages: [...stages].sort(),
          value: read.SecretString ?? Buffer.from(read.SecretBinary!).toString('base64'),
        };
      }
      const all = await sm.send(
        new ListSecretVersionIdsCommand({ SecretId: entry.ARN!, IncludeDeprecated: true }),
      );
      states.push({
        name: entry.Name!,
        description: described.Description,
        tags: Object.fromEntries((described.Tags ?? []).map((tag) => [tag.Key!, tag.Value!])),
        versions,
        versionCount: all.Versions?.length ?? 0,
      });
    }
    NextToken = page.NextToken;
  } while (NextToken !== undefined && NextToken !== '');
  return states.sort((a, b) => a.name.localeCompare(b.name));
}

/** The current value of each secret under `prefix`, by name. */
export function currentValues(states: readonly SecretState[]): Record<string, string> {
  return Object.fromEntries(
    states.map((state) => [
      state.name,
      Object.values(state.versions).find((version) => version.stages.includes('AWSCURRENT'))!.value,
    ]),
  );
}

/** Secrets Manager commands a client sends, by name. */
export interface CommandLog {
  readonly sent: string[];
  count(name?: string): number;
}

/** `sm` with its send wrapped to log each command's name as it is sent, and optionally to act after it succeeded. */
export function logged(sm: SecretsManagerClient, after?: (command: string) => void): CommandLog {
  const sent: string[] = [];
  const send = sm.send.bind(sm);
  sm.send = (async (command: { constructor: { name: string } }, ...rest: unknown[]) => {
    const name = command.constructor.name.replace(/Command$/, '');
    sent.push(name);
    const output = await (send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
    after?.(name);
    return output;
  }) as typeof sm.send;
  return {
    sent,
    count: (name) => (name === undefined ? sent.length : sent.filter((one) => one === name).length),
  };
}

/** A SecretsClient on the endpoint (no cache: transfers read through). */
export function clientOn(
  local: LocalFixture,
  extra: ConstructorParameters<typeof SecretsClient>[0] = {},
): { readonly client: SecretsClient; readonly sm: SecretsManagerClient } {
  const sm = local.sm();
  return { client: new SecretsClient({ secretsManager: sm, kms: local.kms(), cache: false, ...extra }), sm };
}
