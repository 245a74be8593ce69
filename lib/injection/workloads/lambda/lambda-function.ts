import type { SecretsClient } from '../../../client/secrets-client';
import { SECRET_ARN_PATTERN } from '../../../core';
import { ConflictError, ValidationError } from '../../../errors';
import { jobId, recordedVersions, referencesOf, requireRecord } from '../job';
import {
  LAYER_MARK,
  injectionDigest,
  isRecordTag,
  layerMarked,
  readRecord,
  recordTags,
  type JobRecord,
} from '../record';
import type { CheckedRequest } from '../request';
import { describeSecrets, isParameterArn, resolveMappings, rotationStates, versionsOf } from '../secrets';
import { lambdaSdk, send } from '../sdk';
import type {
  InjectedReference,
  InjectionJobRef,
  LambdaFunctionTarget,
  LambdaInjectResult,
  LambdaInjectionStatus,
  WorkloadOptions,
  WorkloadRefreshResult,
  WorkloadRevokeResult,
} from '../types';
import { isExtensionLayer, latestExtensionLayer } from './extension-layer';
import {
  getConfiguration,
  layerArns,
  listTags,
  sameVariables,
  settled,
  update,
  variablesOf,
  writeRecord,
  type Configuration,
  type LambdaCall,
} from './lambda-calls';

// inject, refresh, revoke and status for a Lambda function.

/**
 * Set by `refresh`: any configuration change makes Lambda start new execution environments,
 * and new environments read the secrets again (the extension's cache starts empty).
 */
export const REFRESH_VARIABLE = 'KEYSTAGE_INJECTION_REFRESHED_AT';
/** Lambda's limit of layers per function. */
const MAX_LAYERS = 5;

/**
 * The extension layer the function gets: the version it has, else the one named, else the
 * latest AWS publishes for its architecture.
 */
async function extensionLayer(
  call: LambdaCall,
  config: Configuration,
  layers: readonly string[],
): Promise<{ readonly arn: string | undefined; readonly layers: string[]; readonly added: boolean }> {
  const named = call.options.extensionLayer;
  if (named === false) return { arn: undefined, layers: [...layers], added: false };
  const held = layers.find((arn) => isExtensionLayer(arn, named));
  if (held !== undefined) return { arn: held, layers: [...layers], added: false };
  if (config.PackageType === 'Image') {
    throw new ValidationError(
      'extensionLayer',
      `${call.label} is a container image, and Lambda adds no layers to images: build the Parameters and ` +
        'Secrets extension into the image (its files under /opt/extensions), then pass extensionLayer: false.',
    );
  }
  if (layers.length >= MAX_LAYERS) {
    throw new ValidationError(
      'target',
      `${call.label} already has ${layers.length} layers, Lambda's limit: remove one, or ship the extension another way and pass extensionLayer: false.`,
    );
  }
  const arn = named ?? (await latestExtensionLayer(call.ssm, config.Architectures?.[0], call.label));
  return { arn, layers: [...layers, arn], added: true };
}

export async function injectLambda(
  client: SecretsClient,
  request: CheckedRequest & { readonly target: LambdaFunctionTarget },
  options: WorkloadOptions,
  call: LambdaCall,
): Promise<LambdaInjectResult> {
  const { mappings, secrets } = await resolveMappings(client, request.mappings, options);
  const config = await settled(call, request.target.functionName);
  const variables = variablesOf(config, call.label);
  const tags = await listTags(call, config.FunctionArn);
  const record = readRecord(tags);
  const id = jobId(request.id, record, call.label);
  const layer = await extensionLayer(call, config, layerArns(config));

  const earlier = new Set(record?.names ?? []);
  const wanted: Record<string, string> = {};
  for (const m of mappings) wanted[m.name] = m.secretArn;
  for (const v of request.environment) wanted[v.name] = v.value;
  const next: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables))
    if (!earlier.has(name) || name in wanted) next[name] = value;
  for (const [name, value] of Object.entries(wanted)) {
    // A variable of the same name and value is ours from a run that stopped before tagging.
    if (name in variables && !earlier.has(name) && variables[name] !== value) {
      throw new ConflictError(
        `${call.label} already has a variable ${name} that this injection did not set: rename the mapping, or remove that variable first.`,
      );
    }
    next[name] = value;
  }
  const variablesChanged = !sameVariables(variables, next);
  const layersChanged = layer.added;
  if (layer.added && !layerMarked(tags)) {
    await send(
      call.lambda,
      'TagResource',
      call.label,
      new (lambdaSdk().TagResourceCommand)({ Resource: config.FunctionArn, Tags: { ...LAYER_MARK } }),
    );
    Object.assign(tags, LAYER_MARK);
  }
  if (variablesChanged || layersChanged) {
    await update(call, config, {
      ...(variablesChanged ? { variables: next } : {}),
      ...(layersChanged ? { layers: layer.layers } : {}),
    });
  }
  const updated = variablesChanged || layersChanged;
  const tagged = await writeRecord(
    call,
    config.FunctionArn,
    tags,
    recordTags({
      id,
      digest: injectionDigest({ container: undefined, secrets: mappings, environment: request.environment }),
      container: undefined,
      names: Object.keys(wanted),
      versions: recordedVersions(updated, record, secrets),
      layerAdded: layer.added || layerMarked(tags),
    }),
  );
  return {
    kind: 'lambda',
    job: { id, target: request.target },
    changed: updated || tagged,
    references: referencesOf(mappings, (m) => m.secretArn),
    environment: request.environment.map((v) => v.name),
    functionArn: config.FunctionArn,
    updated,
    extensionLayerArn: layer.arn,
  };
}

/** The job's variables as the function holds them. */
function liveInjection(
  variables: Readonly<Record<string, string>>,
  record: JobRecord,
): { references: InjectedReference[]; environment: { name: string; value: string }[] } {
  const references: InjectedReference[] = [];
  const environment: { name: string; value: string }[] = [];
  for (const name of record.names) {
    const value = variables[name];
    if (value === undefined) continue;
    if (SECRET_ARN_PATTERN.test(value) || isParameterArn(value))
      references.push({ name, secretArn: value, jsonKey: undefined, reference: value });
    else environment.push({ name, value });
  }
  return { references, environment };
}

export async function refreshLambda(
  client: SecretsClient,
  job: InjectionJobRef & { readonly target: LambdaFunctionTarget },
  options: WorkloadOptions,
  call: LambdaCall,
): Promise<WorkloadRefreshResult> {
  const config = await settled(call, job.target.functionName);
  const tags = await listTags(call, config.FunctionArn);
  const record = requireRecord(tags, job.id, call.label);
  const variables = variablesOf(config, call.label);
  const live = liveInjection(variables, record);
  const arns = [...new Set(live.references.map((r) => r.secretArn))];
  const states = [...(await describeSecrets(client, arns, options)).values()];
  await update(call, config, {
    variables: { ...variables, [REFRESH_VARIABLE]: new Date(call.clock.now()).toISOString() },
  });
  const refreshed: JobRecord = { ...record, versions: versionsOf(states) };
  await writeRecord(call, config.FunctionArn, tags, recordTags(refreshed));
  return {
    kind: 'lambda',
    job: { id: record.id, target: job.target },
    secrets: rotationStates(states, refreshed),
    deploymentId: undefined,
  };
}

export async function revokeLambda(
  job: InjectionJobRef & { readonly target: LambdaFunctionTarget },
  call: LambdaCall,
): Promise<WorkloadRevokeResult> {
  const config = await settled(call, job.target.functionName);
  const tags = await listTags(call, config.FunctionArn);
  const record = readRecord(tags);
  const nothing = { kind: 'lambda', taskDefinitionArn: undefined } as const;
  // Record tags without a job id: a run that stopped after marking the layer it was adding.
  if (record === undefined && !Object.keys(tags).some(isRecordTag)) {
    return { ...nothing, job: undefined, changed: false, removed: [], extensionLayerRemoved: false };
  }
  if (record !== undefined) jobId(job.id, record, call.label);
  const names = record?.names ?? [];
  const variables = variablesOf(config, call.label);
  const gone = new Set([...names, REFRESH_VARIABLE]);
  const next = Object.fromEntries(Object.entries(variables).filter(([name]) => !gone.has(name)));
  const layers = layerArns(config);
  const named = call.options.extensionLayer === false ? undefined : call.options.extensionLayer;
  const kept = layerMarked(tags) ? layers.filter((arn) => !isExtensionLayer(arn, named)) : layers;
  const variablesChanged = !sameVariables(variables, next);
  const layersChanged = kept.length !== layers.length;
  if (variablesChanged || layersChanged) {
    await update(call, config, {
      ...(variablesChanged ? { variables: next } : {}),
      ...(layersChanged ? { layers: kept } : {}),
    });
  }
  const untagged = await writeRecord(call, config.FunctionArn, tags, {});
  return {
    ...nothing,
    job: record === undefined ? undefined : { id: record.id, target: job.target },
    changed: variablesChanged || layersChanged || untagged,
    removed: names.filter((name) => name in variables),
    extensionLayerRemoved: layersChanged,
  };
}

export async function statusLambda(
  client: SecretsClient,
  job: InjectionJobRef & { readonly target: LambdaFunctionTarget },
  options: WorkloadOptions,
  call: LambdaCall,
): Promise<LambdaInjectionStatus> {
  const config = await getConfiguration(call, job.target.functionName);
  const tags = await listTags(call, config.FunctionArn);
  const record = readRecord(tags);
  if (record !== undefined) jobId(job.id, record, call.label);
  const named = call.options.extensionLayer === false ? undefined : call.options.extensionLayer;
  const base = {
    kind: 'lambda' as const,
    functionArn: config.FunctionArn,
    state: config.State,
    lastUpdateStatus: config.LastUpdateStatus,
    lastModified: config.LastModified,
    extensionLayerArn: layerArns(config).find((arn) => isExtensionLayer(arn, named)),
  };
  if (record === undefined) {
    return {
      ...base,
      job: undefined,
      inSync: false,
      references: [],
      environment: [],
      secrets: [],
      needsRefresh: false,
      refreshedAt: undefined,
    };
  }
  const variables = variablesOf(config, call.label);
  const live = liveInjection(variables, record);
  const arns = [...new Set(live.references.map((r) => r.secretArn))];
  const secrets = rotationStates([...(await describeSecrets(client, arns, options)).values()], record);
  return {
    ...base,
    job: { id: record.id, target: job.target },
    inSync:
      injectionDigest({ container: undefined, secrets: live.references, environment: live.environment }) ===
      record.digest,
    references: live.references,
    environment: live.environment.map((e) => e.name),
    secrets,
    needsRefresh: secrets.some((s) => s.rotatedSinceDeployment === true),
    refreshedAt: variables[REFRESH_VARIABLE],
  };
}
