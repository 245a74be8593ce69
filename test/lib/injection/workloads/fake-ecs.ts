import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ECSServiceException,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type Deployment,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';

export const ACCOUNT = '123456789012';
export const CLUSTER_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`;
export const SERVICE_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:service/prod/billing-api`;
export const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/billing-execution`;
const WRITES = new Set([
  'RegisterTaskDefinitionCommand',
  'UpdateServiceCommand',
  'TagResourceCommand',
  'UntagResourceCommand',
]);
const READ_ONLY = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
];

/** Mocks every ECSClient; the model below answers. */
export const ecsMock = mockClient(ECSClient);

export function ecsError(
  name: string,
  message: string,
  status = 400,
  fault: 'client' | 'server' = 'client',
): Error {
  return new ECSServiceException({ name, message, $fault: fault, $metadata: { httpStatusCode: status } });
}

const clone = <T>(value: T): T => structuredClone(value);

/** The app container of the starting revision. */
export function appContainer(extra: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return {
    name: 'app',
    image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/billing:1.4.2',
    cpu: 0,
    essential: true,
    portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
    environment: [{ name: 'LOG_LEVEL', value: 'info' }],
    mountPoints: [],
    volumesFrom: [],
    logConfiguration: {
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/ecs/billing', 'awslogs-region': 'us-east-1' },
    },
    ...extra,
  };
}

/**
 * An in-memory ECS with one cluster and one service, answering as the ECS API reference
 * documents: revisions numbered per family, the latest ACTIVE one for a bare family, tags on
 * the service, a new PRIMARY deployment per UpdateService. Writes can be made to fail.
 */
export class FakeEcs {
  readonly revisions: Array<{ definition: TaskDefinition; tags: Tag[] }> = [];
  service: Service;
  #deployments = 0;
  #writes = 0;
  /** Fails the n-th write from now (1-based) with a server error, leaving the state as it was. */
  failWrite: number | undefined;
  /** Writes to fail by command name, once each. */
  readonly failOnce = new Map<string, Error>();

  constructor(
    options: { containers?: ContainerDefinition[]; executionRole?: string | null; serviceTags?: Tag[] } = {},
  ) {
    const first = this.#register({
      family: 'billing-api',
      taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/billing-task`,
      ...(options.executionRole === null
        ? {}
        : { executionRoleArn: options.executionRole ?? EXECUTION_ROLE }),
      networkMode: 'awsvpc',
      containerDefinitions: options.containers ?? [appContainer()],
      volumes: [],
      placementConstraints: [],
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
      tags: [{ key: 'team', value: 'billing' }],
    });
    this.service = {
      serviceArn: SERVICE_ARN,
      serviceName: 'billing-api',
      clusterArn: CLUSTER_ARN,
      status: 'ACTIVE',
      desiredCount: 2,
      runningCount: 2,
      pendingCount: 0,
      taskDefinition: first,
      deployments: [this.#deployment(first, 'COMPLETED')],
      tags: [...(options.serviceTags ?? [{ key: 'team', value: 'billing' }])],
    };
  }

  /** Points the mock at this model. */
  install(): this {
    ecsMock.reset();
    ecsMock.on(DescribeServicesCommand).callsFake((input) => this.describeServices(input));
    ecsMock.on(DescribeTaskDefinitionCommand).callsFake((input) => this.describeTaskDefinition(input));
    ecsMock
      .on(RegisterTaskDefinitionCommand)
      .callsFake((input) =>
        this.#write('RegisterTaskDefinitionCommand', () => this.registerTaskDefinition(input)),
      );
    ecsMock
      .on(UpdateServiceCommand)
      .callsFake((input) => this.#write('UpdateServiceCommand', () => this.updateService(input)));
    ecsMock
      .on(TagResourceCommand)
      .callsFake((input) => this.#write('TagResourceCommand', () => this.tagResource(input)));
    ecsMock
      .on(UntagResourceCommand)
      .callsFake((input) => this.#write('UntagResourceCommand', () => this.untagResource(input)));
    return this;
  }

  #write<T>(name: string, apply: () => T): T {
    this.#writes++;
    const once = this.failOnce.get(name);
    if (once !== undefined) {
      this.failOnce.delete(name);
      throw once;
    }
    if (this.failWrite !== undefined && --this.failWrite === 0) {
      this.failWrite = undefined;
      throw ecsError('ServerException', 'Service unavailable. Try again later.', 500, 'server');
    }
    return apply();
  }

  get writes(): number {
    return this.#writes;
  }

  #deployment(taskDefinition: string, rollout: 'COMPLETED' | 'IN_PROGRESS'): Deployment {
    this.#deployments++;
    const at = new Date(Date.UTC(2026, 0, 1, 0, this.#deployments));
    return {
      id: `ecs-svc/${String(this.#deployments).padStart(19, '0')}`,
      status: 'PRIMARY',
      taskDefinition,
      desiredCount: 2,
      runningCount: rollout === 'COMPLETED' ? 2 : 0,
      pendingCount: rollout === 'COMPLETED' ? 0 : 2,
      rolloutState: rollout,
      rolloutStateReason:
        rollout === 'COMPLETED' ? 'ECS deployment completed.' : 'ECS deployment in progress.',
      createdAt: at,
      updatedAt: at,
    };
  }

  #register(input: RegisterTaskDefinitionCommandInput): string {
    const family = input.family!;
    const revision = this.revisions.filter((r) => r.definition.family === family).length + 1;
    const arn = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${family}:${revision}`;
    const { tags, ...fields } = clone(input);
    this.revisions.push({
      definition: {
        ...fields,
        taskDefinitionArn: arn,
        revision,
        status: 'ACTIVE',
        requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.task-iam-role' }],
        compatibilities: ['EC2', 'FARGATE'],
        registeredAt: new Date(Date.UTC(2026, 0, 1, revision)),
        registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci`,
      },
      tags: tags ?? [],
    });
    return arn;
  }

  #find(name: string): { definition: TaskDefinition; tags: Tag[] } | undefined {
    if (name.startsWith('arn:')) return this.revisions.find((r) => r.definition.taskDefinitionArn === name);
    const [family, revision] = name.split(':');
    const ofFamily = this.revisions.filter((r) => r.definition.family === family);
    return revision === undefined
      ? ofFamily[ofFamily.length - 1]
      : ofFamily.find((r) => String(r.definition.revision) === revision);
  }

  describeServices(input: { cluster?: string; services?: string[]; include?: string[] }) {
    const asked = input.services?.[0];
    const ours =
      (input.cluster === 'prod' || input.cluster === CLUSTER_ARN) &&
      (asked === 'billing-api' || asked === SERVICE_ARN);
    if (!ours)
      return {
        services: [],
        failures: [
          { arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/${input.cluster}/${asked}`, reason: 'MISSING' },
        ],
      };
    const service = clone(this.service);
    if (!input.include?.includes('TAGS')) delete service.tags;
    return { services: [service], failures: [] };
  }

  describeTaskDefinition(input: { taskDefinition?: string; include?: string[] }) {
    const found = this.#find(input.taskDefinition ?? '');
    if (found === undefined) throw ecsError('ClientException', 'Unable to describe task definition.');
    return {
      taskDefinition: clone(found.definition),
      ...(input.include?.includes('TAGS') ? { tags: clone(found.tags) } : {}),
    };
  }

  registerTaskDefinition(input: RegisterTaskDefinitionCommandInput) {
    // The real SDK would drop unknown fields silently; the model refuses them so tests see them.
    const extra = READ_ONLY.filter((field) => field in (input as unknown as Record<string, unknown>));
    if (extra.length > 0) throw ecsError('ClientException', `Unexpected fields: ${extra.join(', ')}`);
    const usesSecrets = (input.containerDefinitions ?? []).some((c) => (c.secrets ?? []).length > 0);
    if (usesSecrets && input.executionRoleArn === undefined) {
      throw ecsError(
        'ClientException',
        'When you are specifying container secrets, you must also specify a value for executionRoleArn.',
      );
    }
    const arn = this.#register(input);
    return { taskDefinition: clone(this.#find(arn)!.definition), tags: clone(this.#find(arn)!.tags) };
  }

  updateService(input: {
    cluster?: string;
    service?: string;
    taskDefinition?: string;
    forceNewDeployment?: boolean;
  }) {
    if (input.service !== 'billing-api' && input.service !== SERVICE_ARN)
      throw ecsError('ServiceNotFoundException', 'Service not found.');
    const taskDefinition =
      input.taskDefinition === undefined
        ? this.service.taskDefinition!
        : this.#find(input.taskDefinition)!.definition.taskDefinitionArn!;
    if (taskDefinition !== this.service.taskDefinition || input.forceNewDeployment === true) {
      const previous = (this.service.deployments ?? []).map((d) => ({
        ...d,
        status: d.status === 'PRIMARY' ? 'ACTIVE' : d.status,
      }));
      this.service = {
        ...this.service,
        taskDefinition,
        deployments: [this.#deployment(taskDefinition, 'IN_PROGRESS'), ...previous],
      };
    }
    return { service: clone(this.service) };
  }

  /** Lets the running deployment finish (ECS would, once new tasks are healthy). */
  settle(): void {
    const primary = this.service.deployments!.find((d) => d.status === 'PRIMARY')!;
    this.service = {
      ...this.service,
      deployments: [
        {
          ...primary,
          rolloutState: 'COMPLETED',
          runningCount: 2,
          pendingCount: 0,
          rolloutStateReason: 'ECS deployment completed.',
        },
      ],
    };
  }

  tagResource(input: { resourceArn?: string; tags?: Tag[] }) {
    if (input.resourceArn !== SERVICE_ARN)
      throw ecsError('InvalidParameterException', 'The specified resource is not valid.');
    const tags = new Map((this.service.tags ?? []).map((t) => [t.key!, t.value!]));
    for (const tag of input.tags ?? []) tags.set(tag.key!, tag.value!);
    if (tags.size > 50) throw ecsError('InvalidParameterException', 'Too many tags.');
    this.service = { ...this.service, tags: [...tags].map(([key, value]) => ({ key, value })) };
    return {};
  }

  untagResource(input: { resourceArn?: string; tagKeys?: string[] }) {
    if (input.resourceArn !== SERVICE_ARN)
      throw ecsError('InvalidParameterException', 'The specified resource is not valid.');
    this.service = {
      ...this.service,
      tags: (this.service.tags ?? []).filter((t) => !(input.tagKeys ?? []).includes(t.key!)),
    };
    return {};
  }

  /** The service's tags as a record. */
  tags(): Record<string, string> {
    return Object.fromEntries((this.service.tags ?? []).map((t) => [t.key!, t.value!]));
  }

  /** The revision the service runs. */
  current(): TaskDefinition {
    return this.#find(this.service.taskDefinition!)!.definition;
  }

  /** What a test compares after a crash and a rerun. */
  snapshot(): unknown {
    return {
      revisions: this.revisions.map((r) => ({ ...r.definition, registeredAt: undefined })),
      revisionTags: this.revisions.map((r) => r.tags),
      taskDefinition: this.service.taskDefinition,
      tags: this.tags(),
    };
  }
}

/** Every ECS request the mock received, in order: command name and input. */
export function ecsRequests(): Array<{ command: string; input: unknown }> {
  return ecsMock.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: unknown };
    return { command: command.constructor.name.replace(/Command$/, ''), input: command.input };
  });
}

export const isEcsWrite = (command: string): boolean => WRITES.has(`${command}Command`);
