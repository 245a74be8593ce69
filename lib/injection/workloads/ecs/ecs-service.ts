import type { Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { SecretsClient } from '../../../client/secrets-client';
import { ValidationError } from '../../../errors';
import { jobId, recordedVersions, referencesOf, requireRecord } from '../job';
import { injectionDigest, readRecord, recordTags, type JobRecord } from '../record';
import type { CheckedRequest } from '../request';
import { describeSecrets, isParameterArn, resolveMappings, rotationStates, versionsOf } from '../secrets';
import type {
  EcsDeploymentState,
  EcsInjectResult,
  EcsInjectionStatus,
  EcsServiceTarget,
  InjectedReference,
  InjectionJobRef,
  WorkloadOptions,
  WorkloadRefreshResult,
  WorkloadRevokeResult,
} from '../types';
import {
  deploy,
  describeDefinition,
  describeService,
  updateService,
  writeRecord,
  type EcsCall,
} from './ecs-calls';
import { changeEntries, chooseContainer, entriesIn, parseValueFrom, valueFrom } from './task-definition';

// inject, refresh, revoke and status for an ECS service.

export async function injectEcs(
  client: SecretsClient,
  request: CheckedRequest & { readonly target: EcsServiceTarget },
  options: WorkloadOptions,
  call: EcsCall,
): Promise<EcsInjectResult> {
  const { mappings, secrets } = await resolveMappings(client, request.mappings, options);
  const described = await describeService(call);
  const record = readRecord(described.tags);
  const id = jobId(request.id, record, call.label);
  const current = await describeDefinition(call, described.service.taskDefinition);
  const container = chooseContainer(current.definition, request.target.container, record?.container);
  if (current.definition.executionRoleArn === undefined) {
    throw new ValidationError(
      'target',
      `task definition ${current.definition.taskDefinitionArn} has no executionRoleArn: ECS reads secrets at task ` +
        'start with the task execution role; give it one that may secretsmanager:GetSecretValue these secrets ' +
        '(ssm:GetParameters for SSM parameters).',
    );
  }
  const containers = changeEntries(current.definition.containerDefinitions ?? [], {
    from: record?.container ?? container,
    remove: record?.names ?? [],
    to: container,
    secrets: mappings,
    environment: request.environment,
  });
  const { arn, registered, deployed } = await deploy(call, described, current, containers);
  const tagged = await writeRecord(
    call,
    described.service.serviceArn,
    described.tags,
    recordTags({
      id,
      digest: injectionDigest({ container, secrets: mappings, environment: request.environment }),
      container,
      names: [...mappings.map((m) => m.name), ...request.environment.map((v) => v.name)],
      versions: recordedVersions(registered || deployed, record, secrets),
      layerAdded: false,
    }),
  );
  return {
    kind: 'ecs',
    job: { id, target: { ...request.target, container } },
    changed: registered || deployed || tagged,
    references: referencesOf(mappings, (m) => valueFrom(m.secretArn, m.jsonKey)),
    environment: request.environment.map((v) => v.name),
    taskDefinitionArn: arn,
    previousTaskDefinitionArn: described.service.taskDefinition,
    registered,
    deployed,
  };
}

/** The job's entries as the revision holds them. */
function liveInjection(
  definition: TaskDefinition,
  record: JobRecord,
): { references: InjectedReference[]; environment: { name: string; value: string }[] } {
  const { secrets, environment } = entriesIn(
    definition.containerDefinitions ?? [],
    record.container,
    record.names,
  );
  return {
    references: secrets.map((s) => {
      const parsed = parseValueFrom(s.valueFrom ?? '');
      return {
        name: s.name ?? '',
        secretArn: parsed?.secretArn ?? s.valueFrom ?? '',
        jsonKey: parsed?.jsonKey,
        reference: s.valueFrom ?? '',
      };
    }),
    environment: environment.map((e) => ({ name: e.name ?? '', value: e.value ?? '' })),
  };
}

/** The ARNs of the secrets and SSM parameters among the references, each once. */
function secretArns(references: readonly InjectedReference[]): string[] {
  return [
    ...new Set(
      references
        .filter((r) => parseValueFrom(r.reference) !== undefined || isParameterArn(r.reference))
        .map((r) => r.secretArn),
    ),
  ];
}

export async function refreshEcs(
  client: SecretsClient,
  job: InjectionJobRef & { readonly target: EcsServiceTarget },
  options: WorkloadOptions,
  call: EcsCall,
): Promise<WorkloadRefreshResult> {
  const described = await describeService(call);
  const record = requireRecord(described.tags, job.id, call.label);
  const { definition } = await describeDefinition(call, described.service.taskDefinition);
  const live = liveInjection(definition, record);
  const states = [...(await describeSecrets(client, secretArns(live.references), options)).values()];
  // ECS reads `secrets` only when a task starts: a new deployment replaces every task.
  const service = await updateService(call, { forceNewDeployment: true });
  const primary = service?.deployments?.find((d) => d.status === 'PRIMARY');
  const refreshed: JobRecord = { ...record, versions: versionsOf(states) };
  await writeRecord(call, described.service.serviceArn, described.tags, recordTags(refreshed));
  return {
    kind: 'ecs',
    job: {
      id: record.id,
      target: { ...job.target, ...(record.container === undefined ? {} : { container: record.container }) },
    },
    secrets: rotationStates(states, refreshed),
    deploymentId: primary?.id,
  };
}

export async function revokeEcs(
  job: InjectionJobRef & { readonly target: EcsServiceTarget },
  call: EcsCall,
): Promise<WorkloadRevokeResult> {
  const described = await describeService(call);
  const record = readRecord(described.tags);
  if (record === undefined) {
    return {
      kind: 'ecs',
      job: undefined,
      changed: false,
      removed: [],
      taskDefinitionArn: described.service.taskDefinition,
      extensionLayerRemoved: false,
    };
  }
  jobId(job.id, record, call.label);
  const current = await describeDefinition(call, described.service.taskDefinition);
  const held = entriesIn(current.definition.containerDefinitions ?? [], record.container, record.names);
  const containers = changeEntries(current.definition.containerDefinitions ?? [], {
    from: record.container,
    remove: record.names,
    to: undefined,
    secrets: [],
    environment: [],
  });
  const { arn, registered, deployed } = await deploy(call, described, current, containers);
  const untagged = await writeRecord(call, described.service.serviceArn, described.tags, {});
  return {
    kind: 'ecs',
    job: {
      id: record.id,
      target: { ...job.target, ...(record.container === undefined ? {} : { container: record.container }) },
    },
    changed: registered || deployed || untagged,
    removed: [...held.secrets, ...held.environment].map((entry) => entry.name ?? ''),
    taskDefinitionArn: arn,
    extensionLayerRemoved: false,
  };
}

function deploymentState(d: NonNullable<Service['deployments']>[number]): EcsDeploymentState {
  return {
    id: d.id ?? '',
    status: d.status ?? '',
    taskDefinitionArn: d.taskDefinition ?? '',
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
    desiredCount: d.desiredCount ?? 0,
    runningCount: d.runningCount ?? 0,
    pendingCount: d.pendingCount ?? 0,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

export async function statusEcs(
  client: SecretsClient,
  job: InjectionJobRef & { readonly target: EcsServiceTarget },
  options: WorkloadOptions,
  call: EcsCall,
): Promise<EcsInjectionStatus> {
  const described = await describeService(call);
  const record = readRecord(described.tags);
  if (record !== undefined) jobId(job.id, record, call.label);
  const deployments = (described.service.deployments ?? []).map(deploymentState);
  const only = deployments.length === 1 ? deployments[0]! : undefined;
  const steady =
    only !== undefined &&
    (only.rolloutState === 'COMPLETED' ||
      (only.rolloutState === undefined && only.runningCount === only.desiredCount));
  const base = {
    kind: 'ecs' as const,
    serviceArn: described.service.serviceArn,
    taskDefinitionArn: described.service.taskDefinition,
    deployments,
    steady,
  };
  if (record === undefined) {
    return {
      ...base,
      job: undefined,
      container: undefined,
      inSync: false,
      references: [],
      environment: [],
      secrets: [],
      needsRefresh: false,
    };
  }
  const { definition } = await describeDefinition(call, described.service.taskDefinition);
  const live = liveInjection(definition, record);
  const states = [...(await describeSecrets(client, secretArns(live.references), options)).values()];
  const secrets = rotationStates(states, record);
  return {
    ...base,
    job: {
      id: record.id,
      target: { ...job.target, ...(record.container === undefined ? {} : { container: record.container }) },
    },
    container: record.container,
    inSync:
      injectionDigest({
        container: record.container,
        secrets: live.references,
        environment: live.environment,
      }) === record.digest,
    references: live.references,
    environment: live.environment.map((e) => e.name),
    secrets,
    needsRefresh: secrets.some((s) => s.rotatedSinceDeployment === true),
  };
}
