import type { Clock } from '../../client/options';
import type { SecretsClient } from '../../client/secrets-client';
import { ecsCall } from './ecs/ecs-calls';
import { injectEcs, refreshEcs, revokeEcs, statusEcs } from './ecs/ecs-service';
import { lambdaCall } from './lambda/lambda-calls';
import { injectLambda, refreshLambda, revokeLambda, statusLambda } from './lambda/lambda-function';
import { checkInjectRequest, checkJobRef, checkWorkloadOptions, type CheckedOptions } from './request';
import { checkRecordFits } from './record';
import { ClientSlot, defaultClientConfig, ecsSdk, lambdaSdk, ssmSdk } from './sdk';
import type {
  EcsInjectResult,
  EcsInjectionStatus,
  EcsServiceTarget,
  InjectRequest,
  InjectResult,
  InjectionJobRef,
  InjectionStatus,
  LambdaFunctionTarget,
  LambdaInjectResult,
  LambdaInjectionStatus,
  WorkloadRefreshResult,
  WorkloadRevokeResult,
  WorkloadOptions,
  WorkloadTarget,
} from './types';

const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
};

/** The clients a call may need, each created on first use when not given, and closed after. */
async function withClients<R>(
  target: WorkloadTarget,
  options: WorkloadOptions,
  checked: CheckedOptions,
  run: (calls: { ecs: ReturnType<typeof ecsCall>; lambda: ReturnType<typeof lambdaCall> }) => Promise<R>,
): Promise<R> {
  const ecs = new ClientSlot(options.ecs, () => new (ecsSdk().ECSClient)(defaultClientConfig()));
  const lambda = new ClientSlot(options.lambda, () => new (lambdaSdk().LambdaClient)(defaultClientConfig()));
  const ssm = new ClientSlot(options.ssm, () => new (ssmSdk().SSMClient)(defaultClientConfig()));
  try {
    return await run({
      ecs: ecsCall(target as EcsServiceTarget, ecs),
      lambda: lambdaCall(
        target as LambdaFunctionTarget,
        { lambda, ssm },
        checked,
        options.clock ?? systemClock,
      ),
    });
  } finally {
    ecs.close();
    lambda.close();
    ssm.close();
  }
}

/**
 * Injects secrets into a workload as references, never values, and records the job in the
 * target's tags (`keystage:injection=<id>`, the digest of the mappings, the variable names and
 * the secret versions deployed), so there is no state anywhere else.
 *
 * - ECS: DescribeServices, DescribeTaskDefinition, RegisterTaskDefinition of a revision whose
 *   container has `secrets[].valueFrom` = `<secret ARN>[:<jsonKey>::]` (everything else of the
 *   revision kept), UpdateService to it, TagResource on the service.
 * - Lambda: GetFunctionConfiguration, UpdateFunctionConfiguration with each secret's ARN in the
 *   environment and the Parameters and Secrets extension layer added (other layers kept),
 *   waiting for `LastUpdateStatus`, TagResource on the function.
 *
 * Secrets are resolved with `client.describe`, so the client's access policy and audit trail
 * apply. Rerunning with the same request writes nothing; a run that stopped part-way (say
 * after RegisterTaskDefinition) is finished by running it again, reusing the revision it
 * registered. A plaintext value (a mapping with a value, or an `environment` entry that looks
 * like a secret) is refused with VALIDATION_ERROR before any call, saying why and what to do.
 *
 * @example
 * const { job, taskDefinitionArn } = await inject(secrets, {
 *   target: { kind: 'ecs', cluster: 'prod', service: 'billing-api' },
 *   mappings: [
 *     { name: 'DB_USER', secret: 'prod/billing/db', jsonKey: 'username' },
 *     { name: 'DB_PASSWORD', secret: 'prod/billing/db', jsonKey: 'password' },
 *   ],
 * });
 */
export function inject(
  client: SecretsClient,
  request: InjectRequest & { readonly target: EcsServiceTarget },
  options?: WorkloadOptions,
): Promise<EcsInjectResult>;
export function inject(
  client: SecretsClient,
  request: InjectRequest & { readonly target: LambdaFunctionTarget },
  options?: WorkloadOptions,
): Promise<LambdaInjectResult>;
export function inject(
  client: SecretsClient,
  request: InjectRequest,
  options?: WorkloadOptions,
): Promise<InjectResult>;
export async function inject(
  client: SecretsClient,
  request: InjectRequest,
  options: WorkloadOptions = {},
): Promise<InjectResult> {
  const checked = checkInjectRequest(request);
  const settings = checkWorkloadOptions(options);
  checkRecordFits([...checked.mappings.map((m) => m.name), ...checked.environment.map((v) => v.name)]);
  return withClients<InjectResult>(checked.target, options, settings, (calls) =>
    checked.target.kind === 'ecs'
      ? injectEcs(client, { ...checked, target: checked.target }, options, calls.ecs)
      : injectLambda(client, { ...checked, target: checked.target }, options, calls.lambda),
  );
}

/**
 * Makes the workload read its secrets again: ECS UpdateService with `forceNewDeployment`
 * (tasks read `secrets` only when they start); Lambda, a configuration update
 * (`KEYSTAGE_INJECTION_REFRESHED_AT`) so that new execution environments, with an empty
 * extension cache, serve the next invocations. The versions now read are recorded.
 * @example
 * await refresh(secrets, job); // after a rotation of prod/billing/db
 */
export async function refresh(
  client: SecretsClient,
  job: InjectionJobRef,
  options: WorkloadOptions = {},
): Promise<WorkloadRefreshResult> {
  const ref = checkJobRef(job);
  const settings = checkWorkloadOptions(options);
  return withClients(ref.target, options, settings, (calls) =>
    ref.target.kind === 'ecs'
      ? refreshEcs(client, { ...ref, target: ref.target }, options, calls.ecs)
      : refreshLambda(client, { ...ref, target: ref.target }, options, calls.lambda),
  );
}

/**
 * Removes the job's references from the workload: ECS, a new revision without them and
 * UpdateService; Lambda, the variables removed and the extension layer too if keystage added
 * it. The record tags go last, so an interrupted revoke is finished by running it again. A
 * target without a job is left alone (`job: undefined`).
 * @example
 * const { removed } = await revoke(secrets, { target: { kind: 'lambda', functionName: 'billing-worker' } });
 */
export async function revoke(
  client: SecretsClient,
  job: InjectionJobRef,
  options: WorkloadOptions = {},
): Promise<WorkloadRevokeResult> {
  const ref = checkJobRef(job);
  const settings = checkWorkloadOptions(options);
  return withClients(ref.target, options, settings, (calls) =>
    ref.target.kind === 'ecs'
      ? revokeEcs({ ...ref, target: ref.target }, calls.ecs)
      : revokeLambda({ ...ref, target: ref.target }, calls.lambda),
  );
}

/**
 * What is injected where, read back from the target: the job's record (tags), the references
 * the live configuration holds, whether it matches the record, the deployment (ECS) or update
 * state (Lambda), and for each secret whether it rotated since the last deployment.
 * @example
 * const { needsRefresh } = await status(secrets, { target: { kind: 'ecs', cluster: 'prod', service: 'billing-api' } });
 * if (needsRefresh) await refresh(secrets, { target });
 */
export function status(
  client: SecretsClient,
  job: InjectionJobRef & { readonly target: EcsServiceTarget },
  options?: WorkloadOptions,
): Promise<EcsInjectionStatus>;
export function status(
  client: SecretsClient,
  job: InjectionJobRef & { readonly target: LambdaFunctionTarget },
  options?: WorkloadOptions,
): Promise<LambdaInjectionStatus>;
export function status(
  client: SecretsClient,
  job: InjectionJobRef,
  options?: WorkloadOptions,
): Promise<InjectionStatus>;
export async function status(
  client: SecretsClient,
  job: InjectionJobRef,
  options: WorkloadOptions = {},
): Promise<InjectionStatus> {
  const ref = checkJobRef(job);
  const settings = checkWorkloadOptions(options);
  return withClients<InjectionStatus>(ref.target, options, settings, (calls) =>
    ref.target.kind === 'ecs'
      ? statusEcs(client, { ...ref, target: ref.target }, options, calls.ecs)
      : statusLambda(client, { ...ref, target: ref.target }, options, calls.lambda),
  );
}
