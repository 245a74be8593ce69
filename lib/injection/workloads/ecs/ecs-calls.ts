import type {
  DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommandOutput,
  RegisterTaskDefinitionCommandInput,
  RegisterTaskDefinitionCommandOutput,
  Service,
  Tag,
  TaskDefinition,
  UpdateServiceCommandInput,
  UpdateServiceCommandOutput,
} from '@aws-sdk/client-ecs';
import { UnexpectedServiceError, ValidationError } from '../../../errors';
import { recordChanges } from '../record';
import { describeTarget } from '../request';
import { ClientSlot, ecsSdk, send } from '../sdk';
import type { EcsServiceTarget } from '../types';
import { registerInput, sameRegistration } from './task-definition';

// The ECS calls a workload job makes, each with its errors mapped and its answer checked.

/** One call against one ECS service. */
export interface EcsCall {
  readonly target: EcsServiceTarget;
  readonly ecs: ClientSlot;
  /** How messages name the service. */
  readonly label: string;
}

export function ecsCall(target: EcsServiceTarget, ecs: ClientSlot): EcsCall {
  return { target, ecs, label: describeTarget(target) };
}

export interface DescribedService {
  readonly service: Service & { serviceArn: string; taskDefinition: string };
  readonly tags: Record<string, string>;
}

/** DescribeServices with tags: the service, the revision it runs, and the job record. */
export async function describeService(call: EcsCall): Promise<DescribedService> {
  const { cluster, service: name } = call.target;
  const output = await send<DescribeServicesCommandOutput>(
    call.ecs,
    'DescribeServices',
    call.label,
    new (ecsSdk().DescribeServicesCommand)({ cluster, services: [name], include: ['TAGS'] }),
  );
  const service = output.services?.[0];
  if (service === undefined) {
    const reason = output.failures?.[0]?.reason ?? 'MISSING';
    throw new ValidationError(
      'target',
      `${call.label} was not found (DescribeServices: ${reason}): check the names and the region.`,
    );
  }
  if (
    service.status !== 'ACTIVE' ||
    service.serviceArn === undefined ||
    service.taskDefinition === undefined
  ) {
    throw new ValidationError(
      'target',
      `${call.label} is ${service.status ?? 'not active'}: only an ACTIVE service can be changed.`,
    );
  }
  const tags: Record<string, string> = {};
  for (const tag of service.tags ?? []) if (tag.key !== undefined) tags[tag.key] = tag.value ?? '';
  return { service: service as DescribedService['service'], tags };
}

export interface DescribedDefinition {
  readonly definition: TaskDefinition & { taskDefinitionArn: string };
  readonly tags: Tag[] | undefined;
}

export async function describeDefinition(
  call: EcsCall,
  taskDefinition: string,
): Promise<DescribedDefinition> {
  const output = await send<DescribeTaskDefinitionCommandOutput>(
    call.ecs,
    'DescribeTaskDefinition',
    call.label,
    new (ecsSdk().DescribeTaskDefinitionCommand)({ taskDefinition, include: ['TAGS'] }),
  );
  if (output.taskDefinition?.taskDefinitionArn === undefined) {
    throw new UnexpectedServiceError(
      `DescribeTaskDefinition for ${call.label} returned no task definition for ${taskDefinition}.`,
    );
  }
  return { definition: output.taskDefinition as DescribedDefinition['definition'], tags: output.tags };
}

/**
 * The revision for `input`: the family's latest if it already is exactly that (a rerun after
 * RegisterTaskDefinition succeeded and UpdateService did not), else a new one. Reruns
 * therefore never pile up identical revisions.
 */
export async function findOrRegister(
  call: EcsCall,
  input: RegisterTaskDefinitionCommandInput,
): Promise<{ readonly arn: string; readonly registered: boolean }> {
  const latest = await describeDefinition(call, input.family!);
  if (sameRegistration(registerInput(latest.definition, latest.tags), input)) {
    return { arn: latest.definition.taskDefinitionArn, registered: false };
  }
  const output = await send<RegisterTaskDefinitionCommandOutput>(
    call.ecs,
    'RegisterTaskDefinition',
    call.label,
    new (ecsSdk().RegisterTaskDefinitionCommand)(input),
  );
  const arn = output.taskDefinition?.taskDefinitionArn;
  if (arn === undefined) {
    throw new UnexpectedServiceError(
      `RegisterTaskDefinition for ${call.label} returned no task definition ARN.`,
    );
  }
  return { arn, registered: true };
}

export async function updateService(
  call: EcsCall,
  input: Omit<UpdateServiceCommandInput, 'cluster' | 'service'>,
): Promise<Service | undefined> {
  const output = await send<UpdateServiceCommandOutput>(
    call.ecs,
    'UpdateService',
    call.label,
    new (ecsSdk().UpdateServiceCommand)({
      cluster: call.target.cluster,
      service: call.target.service,
      ...input,
    }),
  );
  return output.service;
}

/** Writes the record: one TagResource for every tag that changed, then removes stale record tags. */
export async function writeRecord(
  call: EcsCall,
  serviceArn: string,
  current: Readonly<Record<string, string>>,
  next: Readonly<Record<string, string>>,
): Promise<boolean> {
  const { set, remove } = recordChanges(current, next);
  const sdk = ecsSdk();
  if (Object.keys(set).length > 0) {
    const tags = Object.entries(set).map(([key, value]) => ({ key, value }));
    await send(
      call.ecs,
      'TagResource',
      call.label,
      new sdk.TagResourceCommand({ resourceArn: serviceArn, tags }),
    );
  }
  if (remove.length > 0) {
    await send(
      call.ecs,
      'UntagResource',
      call.label,
      new sdk.UntagResourceCommand({ resourceArn: serviceArn, tagKeys: remove }),
    );
  }
  return Object.keys(set).length > 0 || remove.length > 0;
}

/** The service's revision with `containerDefinitions` replaced, as RegisterTaskDefinition takes it. */
function revisionWith(
  current: DescribedDefinition,
  containers: TaskDefinition['containerDefinitions'],
): RegisterTaskDefinitionCommandInput {
  return registerInput({ ...current.definition, containerDefinitions: containers }, current.tags);
}

/** Registers (or reuses) the revision and points the service at it, when anything differs. */
export async function deploy(
  call: EcsCall,
  described: DescribedService,
  current: DescribedDefinition,
  containers: TaskDefinition['containerDefinitions'],
): Promise<{ arn: string; registered: boolean; deployed: boolean }> {
  const desired = revisionWith(current, containers);
  let arn = current.definition.taskDefinitionArn;
  let registered = false;
  if (!sameRegistration(desired, registerInput(current.definition, current.tags))) {
    ({ arn, registered } = await findOrRegister(call, desired));
  }
  const deployed = described.service.taskDefinition !== arn;
  if (deployed) await updateService(call, { taskDefinition: arn });
  return { arn, registered, deployed };
}
