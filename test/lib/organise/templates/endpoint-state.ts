import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/** Commands that change the endpoint's state. */
export const WRITE_COMMANDS: ReadonlySet<string> = new Set([
  'CreateSecretCommand',
  'PutSecretValueCommand',
  'UpdateSecretCommand',
  'UpdateSecretVersionStageCommand',
  'TagResourceCommand',
  'UntagResourceCommand',
  'DeleteSecretCommand',
  'RestoreSecretCommand',
  'PutResourcePolicyCommand',
]);

export interface SecretState {
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  /** VersionId -> stages and value. */
  readonly versions: Readonly<Record<string, { readonly stages: readonly string[]; readonly value: string }>>;
}

/** Everything the endpoint holds under `prefix`: names, tags, versions, stages and values. */
export async function endpointState(sm: SecretsManagerClient, prefix: string): Promise<SecretState[]> {
  const listed = await sm.send(new ListSecretsCommand({ MaxResults: 100, IncludePlannedDeletion: true }));
  const names = (listed.SecretList ?? [])
    .map((entry) => entry.Name!)
    .filter((name) => name.startsWith(prefix))
    .sort();
  const states: SecretState[] = [];
  for (const name of names) {
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    const versions: Record<string, { stages: readonly string[]; value: string }> = {};
    for (const [versionId, stages] of Object.entries(described.VersionIdsToStages ?? {})) {
      const value = await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: versionId }));
      versions[versionId] = { stages: [...stages].sort(), value: value.SecretString ?? '' };
    }
    const tags = Object.fromEntries(
      (described.Tags ?? [])
        .map((tag) => [tag.Key!, tag.Value ?? ''] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
    states.push({ name, tags, versions });
  }
  return states;
}

/** Records the command names `sm` sends (and passes them on). */
export function recordCommands(sm: SecretsManagerClient): string[] {
  const sent: string[] = [];
  const send = sm.send.bind(sm) as (...args: unknown[]) => Promise<unknown>;
  sm.send = ((command: object, ...rest: unknown[]) => {
    sent.push(command.constructor.name);
    return send(command, ...rest);
  }) as typeof sm.send;
  return sent;
}

/**
 * Kills the "process" right after its `writes`-th write took effect: that call's answer is
 * lost and every later call fails, as if the process had died there.
 */
export function crashAfterWrites(
  sm: SecretsManagerClient,
  writes: number,
): { readonly crashed: () => boolean } {
  let done = 0;
  const send = sm.send.bind(sm) as (...args: unknown[]) => Promise<unknown>;
  sm.send = (async (command: object, ...rest: unknown[]) => {
    if (done >= writes) throw new Error('the process died');
    const output = await send(command, ...rest);
    if (WRITE_COMMANDS.has(command.constructor.name) && ++done >= writes) throw new Error('the process died');
    return output;
  }) as typeof sm.send;
  return { crashed: () => done >= writes };
}
