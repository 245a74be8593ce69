import type { Clock } from '../../client/options';
import type { Principal } from '../../client/access';

/**
 * An ECS service: its task definition gets a new revision whose container references the
 * secrets (`secrets[].valueFrom`), and the service is updated to it.
 */
export interface EcsServiceTarget {
  readonly kind: 'ecs';
  /** The cluster's name or ARN. */
  readonly cluster: string;
  /** The service's name or ARN. */
  readonly service: string;
  /**
   * The container that receives the secrets.
   * @default - the container the job already uses, else the task definition's only container
   * (required when it has several)
   */
  readonly container?: string;
}

/**
 * A Lambda function: its environment gets each secret's ARN (never a value) and the AWS
 * Parameters and Secrets Lambda Extension layer serves the values from a local cache.
 */
export interface LambdaFunctionTarget {
  readonly kind: 'lambda';
  /**
   * The function's name or unqualified ARN. Configuration changes apply to `$LATEST`, so a
   * version or alias qualifier is refused.
   */
  readonly functionName: string;
}

/** Where secrets are injected. */
export type WorkloadTarget = EcsServiceTarget | LambdaFunctionTarget;

/** One variable of the workload and the secret it refers to. */
export interface SecretMapping {
  /**
   * The variable the workload sees: the ECS container's secret name, or the Lambda
   * environment variable that holds the ARN (e.g. `DB_SECRET_ARN`). Letters, digits and `_`,
   * starting with a letter, 2 to 255 characters.
   */
  readonly name: string;
  /**
   * The secret: a name (resolved in the client's scope), a partial or a full ARN; or an SSM
   * SecureString parameter as an `ssm:` id (`ssm:/prod/billing/db_password`), referenced by
   * its parameter ARN (the task execution role then needs `ssm:GetParameters` on it).
   */
  readonly secret: string;
  /**
   * ECS only: the JSON key whose value the variable gets (`<arn>:<jsonKey>::`). A Lambda
   * function reads the whole secret from the extension and picks the key itself.
   * @default - the whole secret value
   */
  readonly jsonKey?: string;
}

/** What `inject` puts where. */
export interface InjectRequest {
  readonly target: WorkloadTarget;
  /** The secrets, at least one and at most 100. */
  readonly mappings: readonly SecretMapping[];
  /**
   * Plain, non-secret variables to set alongside (a region, a log level). An entry whose name
   * or value looks like a secret is refused: map it to a secret instead.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The job's id, recorded in the target's `keystage:injection` tag. Letters, digits, `.`,
   * `_` and `-`, up to 64 characters.
   * @default - the id already on the target, else a random UUID
   */
  readonly id?: string;
}

/** An injection job, as `inject` returns it and `refresh`, `revoke` and `status` take it. */
export interface InjectionJob {
  readonly id: string;
  readonly target: WorkloadTarget;
}

/**
 * A job named by its target (the job's record is the target's tags); `id`, when given, must
 * match the record.
 */
export interface InjectionJobRef {
  readonly target: WorkloadTarget;
  /** @default - whichever job the target records */
  readonly id?: string;
}

/**
 * An SDK client keystage sends ECS, Lambda or SSM commands through: an `ECSClient`,
 * `LambdaClient` or `SSMClient` from the AWS SDK, or anything with their `send`. Answers are
 * typed `unknown` here; keep your own client for typed calls.
 */
export interface WorkloadSdkClient {
  /** Sends one command object of the matching `@aws-sdk/client-*` package. */
  send(command: unknown, options?: unknown): Promise<unknown>;
  /** Closes the client's connections. */
  destroy(): void;
}

/** How `inject`, `refresh`, `revoke` and `status` reach AWS and wait. */
export interface WorkloadOptions {
  /**
   * The ECS client (an `ECSClient`).
   * @default - a new `ECSClient` from `@aws-sdk/client-ecs` (an optional peer), closed after the call
   */
  readonly ecs?: WorkloadSdkClient;
  /**
   * The Lambda client (a `LambdaClient`).
   * @default - a new `LambdaClient` from `@aws-sdk/client-lambda` (an optional peer), closed after the call
   */
  readonly lambda?: WorkloadSdkClient;
  /**
   * The SSM client (an `SSMClient`), to read the extension layer's public parameter.
   * @default - a new `SSMClient` from `@aws-sdk/client-ssm` (an optional peer), when one is needed
   */
  readonly ssm?: WorkloadSdkClient;
  /**
   * Who is asking: the secrets are resolved (`describe`) as this principal, so the client's
   * access policy and audit trail see them.
   * @default - the client's principal
   */
  readonly principal?: Principal;
  /**
   * Lambda only: the Parameters and Secrets extension layer version ARN to add, or `false`
   * to leave layers alone (a container image function, or one that ships the extension).
   * @default - the layer the function already has, else the ARN in the public SSM parameter
   * `/aws/service/aws-parameters-and-secrets-lambda-extension/<x86|arm64>/latest`
   */
  readonly extensionLayer?: string | false;
  /**
   * Lambda only: how long to wait for a configuration update (`LastUpdateStatus`) to finish.
   * @default 300000
   */
  readonly waitTimeoutMs?: number;
  /**
   * Lambda only: how often to read `LastUpdateStatus` while waiting.
   * @default 1000
   */
  readonly pollIntervalMs?: number;
  /** @default - real time */
  readonly clock?: Clock;
}

/** One secret reference the workload's configuration holds. */
export interface InjectedReference {
  /** The variable. */
  readonly name: string;
  /** The secret's full ARN. */
  readonly secretArn: string;
  /** The JSON key (ECS), if one. */
  readonly jsonKey: string | undefined;
  /** What the configuration holds: the ECS `valueFrom`, or the Lambda variable's value (the ARN). */
  readonly reference: string;
}

/** What `inject` did. */
interface InjectResultBase {
  readonly job: InjectionJob;
  /** False when the target already held exactly this injection: nothing was written. */
  readonly changed: boolean;
  readonly references: readonly InjectedReference[];
  /** The plain variables set from `environment`. */
  readonly environment: readonly string[];
}

export interface EcsInjectResult extends InjectResultBase {
  readonly kind: 'ecs';
  /** The revision the service now runs. */
  readonly taskDefinitionArn: string;
  /** The revision the service ran before. */
  readonly previousTaskDefinitionArn: string;
  /** True when a new revision was registered (false when one that matched was reused or none was needed). */
  readonly registered: boolean;
  /** True when UpdateService started a deployment. */
  readonly deployed: boolean;
}

export interface LambdaInjectResult extends InjectResultBase {
  readonly kind: 'lambda';
  readonly functionArn: string;
  /** True when UpdateFunctionConfiguration was called (and finished). */
  readonly updated: boolean;
  /** The extension layer the function has; undefined with `extensionLayer: false`. */
  readonly extensionLayerArn: string | undefined;
}

export type InjectResult = EcsInjectResult | LambdaInjectResult;

/** Where a referenced secret stands against the last deployment. */
export interface SecretRotationState {
  readonly secretArn: string;
  readonly secretName: string;
  /** The secret's AWSCURRENT VersionId now. */
  readonly currentVersionId: string | undefined;
  /**
   * True when AWSCURRENT moved since the job last deployed (inject or refresh): running
   * tasks or warm Lambda instances may still hold the old value. Undefined when the job
   * recorded no version for it.
   */
  readonly rotatedSinceDeployment: boolean | undefined;
}

/** What `refresh` did. */
export interface WorkloadRefreshResult {
  readonly kind: 'ecs' | 'lambda';
  readonly job: InjectionJob;
  /** The versions the new deployment (or new Lambda instances) read. */
  readonly secrets: readonly SecretRotationState[];
  /** ECS: the deployment UpdateService started. */
  readonly deploymentId: string | undefined;
}

/** What `revoke` did. */
export interface WorkloadRevokeResult {
  readonly kind: 'ecs' | 'lambda';
  /** The job that was revoked; undefined when the target recorded none (nothing to do). */
  readonly job: InjectionJob | undefined;
  /** False when there was nothing to remove. */
  readonly changed: boolean;
  /** The variables removed. */
  readonly removed: readonly string[];
  /** ECS: the revision the service now runs. */
  readonly taskDefinitionArn: string | undefined;
  /** Lambda: true when the extension layer keystage had added was removed. */
  readonly extensionLayerRemoved: boolean;
}

/** One ECS deployment of the service. */
export interface EcsDeploymentState {
  readonly id: string;
  /** `PRIMARY`, `ACTIVE` or `INACTIVE`. */
  readonly status: string;
  readonly taskDefinitionArn: string;
  /** `IN_PROGRESS`, `COMPLETED` or `FAILED` (services with the ECS deployment controller). */
  readonly rolloutState: string | undefined;
  readonly rolloutStateReason: string | undefined;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  readonly createdAt: Date | undefined;
  readonly updatedAt: Date | undefined;
}

interface InjectionStatusBase {
  /** The job the target records; undefined when nothing is injected. */
  readonly job: InjectionJob | undefined;
  /** True when the live configuration holds exactly what the job recorded. */
  readonly inSync: boolean;
  readonly references: readonly InjectedReference[];
  readonly environment: readonly string[];
  readonly secrets: readonly SecretRotationState[];
  /** True when a referenced secret rotated since the last deployment: call `refresh`. */
  readonly needsRefresh: boolean;
}

export interface EcsInjectionStatus extends InjectionStatusBase {
  readonly kind: 'ecs';
  readonly serviceArn: string;
  /** The revision the service runs (its primary deployment's). */
  readonly taskDefinitionArn: string;
  readonly container: string | undefined;
  readonly deployments: readonly EcsDeploymentState[];
  /** True when one deployment remains and it completed. */
  readonly steady: boolean;
}

export interface LambdaInjectionStatus extends InjectionStatusBase {
  readonly kind: 'lambda';
  readonly functionArn: string;
  /** `Pending`, `Active`, `Inactive` or `Failed`. */
  readonly state: string | undefined;
  /** `Successful`, `Failed` or `InProgress`. */
  readonly lastUpdateStatus: string | undefined;
  readonly lastModified: string | undefined;
  readonly extensionLayerArn: string | undefined;
  /** When `refresh` last recycled the function's instances. */
  readonly refreshedAt: string | undefined;
}

export type InjectionStatus = EcsInjectionStatus | LambdaInjectionStatus;
