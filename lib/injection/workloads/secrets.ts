import type { SecretsClient } from '../../client/secrets-client';
import type { SecretSummary } from '../../client/operations/secret-summary';
import type { ParameterSummary } from '../../client/operations/ssm-describe';
import { PARAMETER_ARN_PATTERN, isSsmId, parameterIdsForArn } from '../../client/ssm-source';
import {
  SecretNotFoundError,
  SecretRevokedError,
  SecretScheduledForDeletionError,
  ValidationError,
} from '../../errors';
import { sameVersion, versionWord, type JobRecord } from './record';
import type { CheckedMapping } from './request';
import type { SecretRotationState, WorkloadOptions } from './types';

/** A mapping with its secret resolved. */
export interface ResolvedMapping {
  readonly name: string;
  readonly secretArn: string;
  readonly jsonKey: string | undefined;
}

/**
 * A secret as the job refers to it: its ARN, name and AWSCURRENT version. An SSM parameter
 * is one too: its parameter ARN, name, and latest version number as the version.
 */
export interface SecretState {
  readonly arn: string;
  readonly name: string;
  readonly currentVersionId: string | undefined;
}

/** True for the ARN of an SSM parameter (a reference ECS and the Lambda extension both read). */
export const isParameterArn = (arn: string): boolean => PARAMETER_ARN_PATTERN.test(arn);

const parameterState = (summary: ParameterSummary): SecretState => ({
  arn: summary.arn,
  name: summary.name,
  currentVersionId: String(summary.version),
});

/**
 * The parameter an ARN names, through the client (so the access policy and audit see it by
 * its `ssm:` id). A one-level ARN may stand for `/name` or `name`: the one whose ARN matches.
 */
async function describeParameterArn(
  client: SecretsClient,
  arn: string,
  callOptions: { readonly principal?: WorkloadOptions['principal'] },
): Promise<SecretState> {
  const ids = parameterIdsForArn(arn);
  for (const [i, id] of ids.entries()) {
    try {
      const summary = await client.describeParameter(id, callOptions);
      if (summary.arn === arn || i === ids.length - 1) return parameterState(summary);
    } catch (error) {
      if (!(error instanceof SecretNotFoundError) || i === ids.length - 1) throw error;
    }
  }
  throw new SecretNotFoundError(`no SSM parameter has the ARN ${arn}.`, { secretId: arn });
}

function stateOf(summary: SecretSummary): SecretState {
  return {
    arn: summary.arn,
    name: summary.name,
    currentVersionId: summary.versions.find((version) => version.stages.includes('AWSCURRENT'))?.versionId,
  };
}

/**
 * Describes each secret once, through the client, so its access policy, rate limits and
 * audit trail see every secret a workload is given (never reading a value).
 */
export async function describeSecrets(
  client: SecretsClient,
  ids: readonly string[],
  options: WorkloadOptions,
): Promise<Map<string, SecretState>> {
  const callOptions = options.principal === undefined ? {} : { principal: options.principal };
  const states = new Map<string, SecretState>();
  for (const id of new Set(ids)) {
    states.set(
      id,
      isParameterArn(id)
        ? await describeParameterArn(client, id, callOptions)
        : stateOf(await client.describe(id, callOptions)),
    );
  }
  return states;
}

/**
 * The mappings with full ARNs. A revoked secret, one scheduled for deletion or one without
 * an AWSCURRENT version is refused: a workload given it would fail at start.
 */
export async function resolveMappings(
  client: SecretsClient,
  mappings: readonly CheckedMapping[],
  options: WorkloadOptions,
): Promise<{ readonly mappings: ResolvedMapping[]; readonly secrets: SecretState[] }> {
  const callOptions = options.principal === undefined ? {} : { principal: options.principal };
  const byId = new Map<string, SecretState>();
  for (const [i, mapping] of mappings.entries()) {
    if (byId.has(mapping.secret)) continue;
    const field = `mappings[${i}].secret`;
    if (isSsmId(mapping.secret)) {
      byId.set(mapping.secret, await resolveParameter(client, mapping.secret, field, callOptions));
      continue;
    }
    const summary = await client.describe(mapping.secret, callOptions);
    if (summary.keystage.status === 'revoked') {
      throw new SecretRevokedError(
        `${field}: ${summary.name} is revoked; restore it, or map another secret.`,
        { secretId: summary.arn, reason: summary.keystage.revokedReason },
      );
    }
    if (summary.deletionDate !== undefined) {
      throw new SecretScheduledForDeletionError(
        `${field}: ${summary.name} is scheduled for deletion; undelete it, or map another secret.`,
        { secretId: summary.arn },
      );
    }
    const state = stateOf(summary);
    if (state.currentVersionId === undefined) {
      throw new ValidationError(
        field,
        `${field}: ${summary.name} has no AWSCURRENT version yet; put a value first.`,
      );
    }
    byId.set(mapping.secret, state);
  }
  const unique = new Map([...byId.values()].map((state) => [state.arn, state]));
  return {
    mappings: mappings.map((m) => ({ name: m.name, secretArn: byId.get(m.secret)!.arn, jsonKey: m.jsonKey })),
    secrets: [...unique.values()],
  };
}

/**
 * An `ssm:` mapping: a SecureString is a secret ECS and the Lambda extension decrypt at
 * read time; a String or StringList holds its value in the clear, so it is refused.
 */
async function resolveParameter(
  client: SecretsClient,
  id: string,
  field: string,
  callOptions: { readonly principal?: WorkloadOptions['principal'] },
): Promise<SecretState> {
  const summary = await client.describeParameter(id, callOptions);
  if (summary.type !== 'SecureString') {
    throw new ValidationError(
      field,
      `${field}: ${summary.name} is a ${summary.type} parameter, which Parameter Store keeps unencrypted: ` +
        'make it a SecureString (PutParameter with Type SecureString and Overwrite) to map it as a secret, ' +
        'or set a value that is not secret as a plain environment variable.',
    );
  }
  return parameterState(summary);
}

/** The record's versions for these secrets as they are now (what a deployment now reads). */
export function versionsOf(secrets: readonly SecretState[]): Map<string, string> {
  return new Map(secrets.map((s) => versionWord(s.arn, s.currentVersionId ?? '')));
}

/** Each secret against the version the job's last deployment read. */
export function rotationStates(
  secrets: readonly SecretState[],
  record: JobRecord | undefined,
): SecretRotationState[] {
  return secrets.map((s) => {
    const same = record === undefined ? undefined : sameVersion(record, s.arn, s.currentVersionId);
    return {
      secretArn: s.arn,
      secretName: s.name,
      currentVersionId: s.currentVersionId,
      rotatedSinceDeployment: same === undefined ? undefined : !same,
    };
  });
}
