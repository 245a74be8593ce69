import { REFERENCE_PATH, isSsmId, parameterName, validateSsmId } from '../../client/ssm-source';
import { validateDurationMs, validateSecretId } from '../../core';
import { ValidationError, show } from '../../errors';
import { insteadAdvice, secretLikeReason, whyNoValues } from './plaintext';
import type { InjectionJobRef, WorkloadOptions, WorkloadTarget } from './types';

/** Letters, digits and `_`, a letter first: what ECS and Lambda both accept, upper or lower case. */
const VARIABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{1,254}$/;
/** Names the platform, the extension or keystage itself sets. */
const RESERVED: Readonly<Record<'ecs' | 'lambda', RegExp>> = {
  ecs: /^(?:AWS_|ECS_|KEYSTAGE_INJECTION)/i,
  lambda:
    /^(?:AWS_|LAMBDA_|_|PARAMETERS_SECRETS_EXTENSION_|SECRETS_MANAGER_|SSM_PARAMETER_STORE_|KEYSTAGE_INJECTION)/i,
};
/** A JSON key inside `valueFrom`, where `:` separates the fields. */
const JSON_KEY = /^[^:\s]{1,255}$/;
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ECS_NAME = /^[A-Za-z0-9:/_.-]{1,2048}$/;
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** A function name, partial ARN (`123456789012:function:name`) or ARN, without a qualifier. */
const FUNCTION_NAME =
  /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:|\d{12}:function:)?[A-Za-z0-9_-]{1,64}$/;
const LAYER_VERSION_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]{1,140}:\d+$/;
/** Fields a mapping may carry a value under: refused with an explanation, not as unknown. */
const VALUE_FIELDS = ['value', 'plaintext', 'secretValue', 'secretString'];
const MAPPING_FIELDS = new Set(['name', 'secret', 'jsonKey']);
export const MAX_MAPPINGS = 100;
const MAX_ENVIRONMENT = 100;
const DEFAULT_WAIT_MS = 300_000;
const DEFAULT_POLL_MS = 1_000;

/** A mapping as checked. */
export interface CheckedMapping {
  readonly name: string;
  readonly secret: string;
  readonly jsonKey: string | undefined;
}

/** A plain variable as checked. */
export interface CheckedVariable {
  readonly name: string;
  readonly value: string;
}

export interface CheckedRequest {
  readonly target: WorkloadTarget;
  readonly mappings: readonly CheckedMapping[];
  readonly environment: readonly CheckedVariable[];
  readonly id: string | undefined;
}

export interface CheckedOptions {
  readonly waitTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly extensionLayer: string | false | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(value: unknown, field: string, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ValidationError(field, `${field} must be ${what}, got ${show(value)}.`);
  }
  return value;
}

/** The target, checked: an ECS service or a Lambda function. */
export function checkTarget(target: unknown, field = 'target'): WorkloadTarget {
  if (!isRecord(target)) {
    throw new ValidationError(
      field,
      `${field} must be { kind: 'ecs', cluster, service } or { kind: 'lambda', functionName }, got ${show(target)}.`,
    );
  }
  if (target.kind === 'ecs') {
    const cluster = requireString(target.cluster, `${field}.cluster`, ECS_NAME, "the cluster's name or ARN");
    const service = requireString(target.service, `${field}.service`, ECS_NAME, "the service's name or ARN");
    if (target.container === undefined) return { kind: 'ecs', cluster, service };
    const container = requireString(
      target.container,
      `${field}.container`,
      CONTAINER_NAME,
      'a container name (letters, digits, _ and -, up to 255)',
    );
    return { kind: 'ecs', cluster, service, container };
  }
  if (target.kind === 'lambda') {
    const functionName = requireString(
      target.functionName,
      `${field}.functionName`,
      FUNCTION_NAME,
      "the function's name or unqualified ARN (configuration changes apply to $LATEST: no :version or :alias)",
    );
    return { kind: 'lambda', functionName };
  }
  throw new ValidationError(
    `${field}.kind`,
    `${field}.kind must be 'ecs' or 'lambda', got ${show(target.kind)}.`,
  );
}

function checkVariableName(kind: 'ecs' | 'lambda', name: unknown, field: string): string {
  const checked = requireString(
    name,
    field,
    VARIABLE_NAME,
    'a variable name: letters, digits and _, a letter first, 2 to 255 characters',
  );
  if (RESERVED[kind].test(checked)) {
    throw new ValidationError(
      field,
      `${field} ${show(checked)} is reserved (set by ${kind === 'ecs' ? 'ECS' : 'Lambda, the extension'} or keystage): choose another name.`,
    );
  }
  return checked;
}

/**
 * A mapping's secret: a secret's name or ARN, or an `ssm:` id of a SecureString parameter
 * (`ssm:/prod/billing/db_password`), which ECS and the Lambda extension read by its ARN.
 */
function checkMappedSecret(secret: unknown, field: string): string {
  if (!isSsmId(secret)) return validateSecretId(secret, field);
  const id = validateSsmId(secret, field);
  if (parameterName(id).startsWith(REFERENCE_PATH)) {
    throw new ValidationError(
      field,
      `${field} ${show(secret)} reads a Secrets Manager secret through Parameter Store: map the secret itself ` +
        `(secret: ${show(parameterName(id).slice(REFERENCE_PATH.length))}), which the workload reads directly.`,
    );
  }
  return id;
}

function checkMapping(kind: 'ecs' | 'lambda', mapping: unknown, field: string): CheckedMapping {
  if (!isRecord(mapping)) {
    throw new ValidationError(field, `${field} must be { name, secret, jsonKey? }, got ${show(mapping)}.`);
  }
  const name = checkVariableName(kind, mapping.name, `${field}.name`);
  const valueField = VALUE_FIELDS.find((key) => key in mapping);
  if (valueField !== undefined) {
    // The value itself is never shown: only that one was given, why that is refused, and what to do.
    throw new ValidationError(
      `${field}.${valueField}`,
      `${field} (${name}) carries a plaintext value in ${valueField}; keystage refuses to put a secret's ` +
        `value into ${kind === 'ecs' ? 'an ECS task definition' : 'a Lambda environment'}: ${whyNoValues(kind)}. ` +
        insteadAdvice(kind, name),
    );
  }
  const unknown = Object.keys(mapping).filter((key) => !MAPPING_FIELDS.has(key));
  if (unknown.length > 0) {
    throw new ValidationError(
      `${field}.${unknown[0]}`,
      `${field} has unknown field ${show(unknown[0])}: a mapping is { name, secret, jsonKey? }.`,
    );
  }
  if (mapping.secret === undefined) {
    throw new ValidationError(
      `${field}.secret`,
      `${field} (${name}) names no secret: give the secret's name or ARN as secret.`,
    );
  }
  const secret = checkMappedSecret(mapping.secret, `${field}.secret`);
  if (mapping.jsonKey === undefined) return { name, secret, jsonKey: undefined };
  if (isSsmId(secret)) {
    throw new ValidationError(
      `${field}.jsonKey`,
      `${field}.jsonKey: ${kind === 'ecs' ? 'ECS' : 'the extension'} reads an SSM parameter whole, so there is no ` +
        'key to select: drop jsonKey and parse the value in the workload, or keep the JSON in a Secrets Manager secret.',
    );
  }
  if (kind === 'lambda') {
    throw new ValidationError(
      `${field}.jsonKey`,
      `${field}.jsonKey: a Lambda variable holds the secret's ARN and the extension returns the whole ` +
        'secret, so there is no key to select here: drop jsonKey and read the field in the handler ' +
        '(JSON.parse(SecretString).field).',
    );
  }
  const jsonKey = requireString(
    mapping.jsonKey,
    `${field}.jsonKey`,
    JSON_KEY,
    'a JSON key of 1 to 255 characters without ":" or spaces',
  );
  return { name, secret, jsonKey };
}

function checkEnvironment(kind: 'ecs' | 'lambda', environment: unknown): CheckedVariable[] {
  if (environment === undefined) return [];
  if (!isRecord(environment)) {
    throw new ValidationError(
      'environment',
      `environment must be an object of name: value, got ${show(environment)}.`,
    );
  }
  const entries = Object.entries(environment);
  if (entries.length > MAX_ENVIRONMENT) {
    throw new ValidationError(
      'environment',
      `environment has ${entries.length} entries; at most ${MAX_ENVIRONMENT}.`,
    );
  }
  return entries.map(([name, value]) => {
    const field = `environment.${name}`;
    checkVariableName(kind, name, field);
    if (typeof value !== 'string') {
      throw new ValidationError(field, `${field} must be a string, got ${show(typeof value)}.`);
    }
    const reason = secretLikeReason(name, value);
    if (reason !== undefined) {
      throw new ValidationError(
        field,
        `${field} looks like a secret (${reason}); keystage refuses to put a plaintext secret into ` +
          `${kind === 'ecs' ? 'an ECS task definition' : 'a Lambda environment'}: ${whyNoValues(kind)}. ` +
          insteadAdvice(kind, name),
      );
    }
    return { name, value };
  });
}

/** Checks everything `inject` was given, before any I/O. */
export function checkInjectRequest(request: unknown): CheckedRequest {
  if (!isRecord(request)) {
    throw new ValidationError(
      'request',
      `inject takes { target, mappings, environment?, id? }, got ${show(request)}.`,
    );
  }
  const target = checkTarget(request.target);
  const { mappings } = request;
  if (!Array.isArray(mappings) || mappings.length === 0 || mappings.length > MAX_MAPPINGS) {
    throw new ValidationError(
      'mappings',
      `mappings must be an array of 1 to ${MAX_MAPPINGS} { name, secret, jsonKey? }, got ${Array.isArray(mappings) ? `${mappings.length} entries` : show(mappings)}.`,
    );
  }
  const checked = mappings.map((mapping, i) => checkMapping(target.kind, mapping, `mappings[${i}]`));
  const environment = checkEnvironment(target.kind, request.environment);
  const seen = new Set<string>();
  for (const { name } of [...checked, ...environment]) {
    // Case-insensitive: Lambda and most shells treat DB_URL and db_url as two, but people do not.
    const key = name.toUpperCase();
    if (seen.has(key)) {
      throw new ValidationError(
        'mappings',
        `${name} is given twice (mappings and environment share one namespace).`,
      );
    }
    seen.add(key);
  }
  const id =
    request.id === undefined
      ? undefined
      : requireString(request.id, 'id', JOB_ID, 'letters, digits, ".", "_" and "-", up to 64 characters');
  return { target, mappings: checked, environment, id };
}

/** Checks a job reference (`{ target, id? }`), before any I/O. */
export function checkJobRef(job: unknown): InjectionJobRef {
  if (!isRecord(job)) throw new ValidationError('job', `job must be { target, id? }, got ${show(job)}.`);
  const target = checkTarget(job.target, 'job.target');
  if (job.id === undefined) return { target };
  return { target, id: requireString(job.id, 'job.id', JOB_ID, 'a job id') };
}

/** Checks the options, before any I/O. */
export function checkWorkloadOptions(options: unknown): CheckedOptions {
  if (!isRecord(options))
    throw new ValidationError('options', `options must be an object, got ${show(options)}.`);
  const given = options as WorkloadOptions;
  for (const client of ['ecs', 'lambda', 'ssm'] as const) {
    const value: unknown = given[client];
    if (value !== undefined && (!isRecord(value) || typeof value.send !== 'function')) {
      throw new ValidationError(client, `${client} must be an SDK client with send(), got ${show(value)}.`);
    }
  }
  const layer: unknown = given.extensionLayer;
  if (
    layer !== undefined &&
    layer !== false &&
    (typeof layer !== 'string' || !LAYER_VERSION_ARN.test(layer))
  ) {
    throw new ValidationError(
      'extensionLayer',
      `extensionLayer must be a layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>) or false, got ${show(layer)}.`,
    );
  }
  return {
    waitTimeoutMs:
      given.waitTimeoutMs === undefined
        ? DEFAULT_WAIT_MS
        : validateDurationMs(given.waitTimeoutMs, 'waitTimeoutMs'),
    pollIntervalMs:
      given.pollIntervalMs === undefined
        ? DEFAULT_POLL_MS
        : validateDurationMs(given.pollIntervalMs, 'pollIntervalMs'),
    extensionLayer: layer as string | false | undefined,
  };
}

/** How a target is named in messages. */
export function describeTarget(target: WorkloadTarget): string {
  return target.kind === 'ecs'
    ? `ECS service ${JSON.stringify(target.service)} in cluster ${JSON.stringify(target.cluster)}`
    : `Lambda function ${JSON.stringify(target.functionName)}`;
}
