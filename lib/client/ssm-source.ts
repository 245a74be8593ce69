import type { FetchedSecret } from '../cache';
import { validateVersionStage, validateVersionToken, type KmsClientConfig } from '../core';
import { SecretDecodeError, ValidationError, show } from '../errors';
import type { GetOptions, VersionRead } from './operations/read';

/*
 * SSM Parameter Store as a source of SecretsClient reads. An id `ssm:<parameter name>` reads a
 * parameter (SecureString decrypted; String and StringList as their text) through the same
 * pipeline and cache as a secret: `get('ssm:/prod/billing/db_url')`. `ssm:/aws/reference/
 * secretsmanager/<secret>` reads a Secrets Manager secret through Parameter Store. The SSM SDK
 * is an optional peer, loaded on the first such read.
 */

/**
 * An SSM client: an `SSMClient` from `@aws-sdk/client-ssm`, or anything with its `send`.
 * Structural, like `KmsClient`: the SSM SDK is an optional peer, so keystage's public
 * declarations never name its types. keystage sends GetParameter, GetParameters and
 * GetParametersByPath through it.
 * @example
 * const secrets = new SecretsClient({ ssm: new SSMClient({ region: 'eu-west-1' }) });
 */
export interface SsmClient {
  /** Sends one SSM command (an `@aws-sdk/client-ssm` command object). */
  send(command: unknown, options?: unknown): Promise<unknown>;
  /** Closes the client's connections. */
  destroy(): void;
  /** The client's resolved configuration; its request handler is what carries the timeouts. */
  readonly config: { readonly requestHandler: unknown };
}

/**
 * What `new SSMClient(config)` is given when keystage creates the SSM client itself: the
 * settings of `SSMClientConfig` a service usually sets, passed on as they are (a value typed
 * `SSMClientConfig` is assignable too). The request handler defaults to one with keystage's
 * `timeouts`.
 * @example
 * const secrets = new SecretsClient({ ssmConfig: { region: 'eu-west-1', maxAttempts: 5 } });
 */
export interface SsmClientConfig extends Omit<KmsClientConfig, 'endpoint'> {
  /**
   * The endpoint to send to (a URL, or the SDK's endpoint object or provider).
   * @default - AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL, then the Region's SSM endpoint
   */
  readonly endpoint?: unknown;
}

/** What starts an id that names an SSM parameter. */
export const SSM_ID_PREFIX = 'ssm:';
/** Parameter Store's path to Secrets Manager secrets. */
export const REFERENCE_PATH = '/aws/reference/secretsmanager/';

/** The longest fully qualified parameter name, and the most levels of one. */
const MAX_NAME_LENGTH = 1011;
const MAX_LEVELS = 15;
const NAME = /^[a-zA-Z0-9_.\-/]+$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** A parameter label: what LabelParameterVersion attaches. */
const LABEL = /^(?![0-9])(?!aws)(?!ssm)[a-zA-Z0-9_.-]{1,100}$/i;
const VERSION = /^[1-9][0-9]{0,17}$/;

/** An SSM parameter's ARN: `arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>`. */
export const PARAMETER_ARN_PATTERN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/([a-zA-Z0-9_.\-/]+)$/;

/**
 * The `ssm:` ids a parameter ARN may stand for, most likely first. The ARN drops a name's
 * leading slash, so `parameter/a/b` is `/a/b` (a name with levels starts with one), but
 * `parameter/a` is `/a` or `a`: two parameters Parameter Store keeps apart. Empty for
 * anything that is not a parameter ARN.
 */
export function parameterIdsForArn(arn: string): string[] {
  const match = PARAMETER_ARN_PATTERN.exec(arn);
  if (match === null) return [];
  const rest = match[1]!;
  return rest.includes('/')
    ? [`${SSM_ID_PREFIX}/${rest}`]
    : [`${SSM_ID_PREFIX}/${rest}`, `${SSM_ID_PREFIX}${rest}`];
}

/** True for an id that names an SSM parameter (`ssm:/prod/billing/db_url`). */
export function isSsmId(id: unknown): id is string {
  return typeof id === 'string' && id.startsWith(SSM_ID_PREFIX);
}

/** The parameter name an `ssm:` id names. */
export function parameterName(id: string): string {
  return id.slice(SSM_ID_PREFIX.length);
}

const isReference = (id: string): boolean => parameterName(id).startsWith(REFERENCE_PATH);

/**
 * Checks a parameter path (`/prod/billing`, with or without `ssm:` and a trailing `/`) and
 * returns it as GetParametersByPath takes it: `/prod/billing`, or `/` for the root.
 */
export function validateParameterPath(value: unknown, field = 'path'): string {
  if (typeof value !== 'string') {
    throw new ValidationError(
      field,
      `${field} must be a parameter path such as '/prod/billing', got ${show(value)}.`,
    );
  }
  const path = value.startsWith(SSM_ID_PREFIX) ? parameterName(value) : value;
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (
    !trimmed.startsWith('/') ||
    !NAME.test(trimmed) ||
    trimmed.includes('//') ||
    trimmed.length > MAX_NAME_LENGTH
  ) {
    throw new ValidationError(
      field,
      `${field} ${show(value)} is not a parameter path: start with / and use letters, digits, _ . - and / between levels, e.g. '/prod/billing'.`,
    );
  }
  if (trimmed.split('/').length - 1 > MAX_LEVELS) {
    throw new ValidationError(field, `${field} ${show(value)} has more than ${MAX_LEVELS} levels.`);
  }
  if (`${trimmed}/`.startsWith(REFERENCE_PATH) || trimmed === REFERENCE_PATH.slice(0, -1)) {
    throw new ValidationError(
      field,
      `${field} ${show(value)} is under ${REFERENCE_PATH}, which Parameter Store reads only one secret at a time: ` +
        `read each with get('ssm:${REFERENCE_PATH}<secret>'), or read the secrets themselves with getAll({ prefix }).`,
    );
  }
  return trimmed;
}

/**
 * Checks an `ssm:` id: `ssm:` and a parameter name as Parameter Store takes it (letters,
 * digits, `_ . -`, `/` between levels, a path starting with `/`, at most 1011 characters and
 * 15 levels), or `ssm:/aws/reference/secretsmanager/` and a secret name. A version or label
 * goes in the read's options, not after a `:` in the id, so that one parameter has one id.
 */
export function validateSsmId(value: string, field = 'id'): string {
  const name = parameterName(value);
  const what = `${field} ${show(value)}`;
  if (name.includes(':')) {
    throw new ValidationError(
      field,
      `${what} has a ':' after the parameter name: pass the version or label as { versionId: '3' } or { versionStage: 'label' }, and the name alone.`,
    );
  }
  if (name.startsWith(REFERENCE_PATH)) {
    if (!SECRET_NAME.test(name.slice(REFERENCE_PATH.length))) {
      throw new ValidationError(
        field,
        `${what} does not name a secret after ${REFERENCE_PATH}: use its name (A-Z a-z 0-9 / _ + = . @ -), not its ARN.`,
      );
    }
    return value;
  }
  if (
    name === '' ||
    name.length > MAX_NAME_LENGTH ||
    !NAME.test(name) ||
    (name.includes('/') && !name.startsWith('/')) ||
    name.includes('//') ||
    name.endsWith('/')
  ) {
    throw new ValidationError(
      field,
      `${what} is not an SSM parameter: use ssm: and the parameter's name, up to ${MAX_NAME_LENGTH} characters from A-Z a-z 0-9 _ . - with / between levels (a path starts with /), e.g. 'ssm:/prod/billing/db_url'.`,
    );
  }
  if (name.split('/').length - 1 > MAX_LEVELS) {
    throw new ValidationError(field, `${what} has more than ${MAX_LEVELS} levels.`);
  }
  return value;
}

/**
 * The read of an `ssm:` id, as the cache keys it. A parameter's versions are numbers and its
 * labels names: `versionId: '3'` reads version 3 (`name:3`), `versionStage: 'stable'` the version
 * labelled stable (`name:stable`), `AWSCURRENT` or neither the latest. A Secrets Manager
 * reference takes a secret's VersionId or staging label, as `get` does.
 */
export function ssmRead(id: string, options: unknown): VersionRead {
  const parameterId = validateSsmId(id);
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', "Read options must be an object such as { versionId: '3' }.");
  }
  const { versionStage, versionId } = options as GetOptions;
  if (versionStage !== undefined && versionId !== undefined) {
    throw new ValidationError(
      'versionId',
      'An SSM read names one version: pass versionId or versionStage, not both (Parameter Store takes one selector).',
    );
  }
  if (isReference(parameterId)) {
    return {
      id: parameterId,
      selector: {
        ...(versionStage === undefined ? {} : { versionStage: validateVersionStage(versionStage) }),
        ...(versionId === undefined ? {} : { versionId: validateVersionToken(versionId, 'versionId') }),
      },
    };
  }
  if (versionId !== undefined && (typeof versionId !== 'string' || !VERSION.test(versionId))) {
    throw new ValidationError(
      'versionId',
      `versionId of an SSM parameter is its version number as a string, e.g. '3', got ${show(versionId)}.`,
    );
  }
  if (versionStage !== undefined && versionStage !== 'AWSCURRENT') {
    if (typeof versionStage !== 'string' || !LABEL.test(versionStage)) {
      throw new ValidationError(
        'versionStage',
        `versionStage of an SSM parameter is a parameter label (1 to 100 of A-Z a-z 0-9 _ . -, not starting with a digit, aws or ssm), got ${show(versionStage)}. Staging labels such as AWSPREVIOUS belong to Secrets Manager.`,
      );
    }
  }
  return {
    id: parameterId,
    selector: {
      ...(versionStage === undefined || versionStage === 'AWSCURRENT' ? {} : { versionStage }),
      ...(versionId === undefined ? {} : { versionId }),
    },
  };
}

/**
 * A parameter as GetParameter and GetParameters answer it (the SDK's `Parameter` is one): the
 * fields keystage reads. Structural, so that no declaration here names the SSM SDK.
 */
export interface AnsweredParameter {
  readonly Name?: string | undefined;
  readonly Value?: string | undefined;
  readonly Version?: number | undefined;
  readonly LastModifiedDate?: Date | undefined;
  readonly ARN?: string | undefined;
  readonly SourceResult?: string | undefined;
}

/**
 * The cache's VersionId of a parameter version: its number and when it was written. Parameter
 * Store numbers a parameter's versions from 1 again when it is deleted and created anew, so
 * the number alone could name two values; the cache keeps a value by this key forever.
 */
export function parameterVersionId(parameter: AnsweredParameter): string {
  return `${parameter.Version ?? 0}@${parameter.LastModifiedDate?.getTime() ?? 0}`;
}

/** What a Secrets Manager reference answers about the secret, from its SourceResult. */
function referencedSecret(parameter: AnsweredParameter): {
  ARN?: unknown;
  Name?: unknown;
  VersionId?: unknown;
} {
  try {
    const source: unknown = JSON.parse(parameter.SourceResult ?? '{}');
    if (typeof source !== 'object' || source === null) return {};
    // Only the identifiers are taken; the value it also holds is never kept.
    const { ARN, Name, VersionId } = source as Record<string, unknown>;
    return { ARN, Name, VersionId };
  } catch {
    return {};
  }
}

const textOr = (value: unknown, fallback: string): string =>
  typeof value === 'string' && value !== '' ? value : fallback;

/**
 * A parameter as the cache keeps it: under its `ssm:` id, which is also the id the cache
 * refreshes it by (the cache re-reads an entry by its `arn`). A reference answers as the
 * secret it reads (its ARN, name and VersionId: the same versions and labels), so a refresh
 * reads the secret itself, and when the secret is cached by name too the two reads share one
 * entry: what invalidates the secret (a rotation event) invalidates the reference.
 */
export function fetchedParameter(id: string, parameter: AnsweredParameter | undefined): FetchedSecret {
  if (parameter === undefined) {
    throw new SecretDecodeError(`Parameter ${JSON.stringify(id)} was answered without its value.`, {
      secretId: id,
    });
  }
  if (isReference(id)) {
    const secret = referencedSecret(parameter);
    return {
      arn: textOr(secret.ARN, textOr(parameter.ARN, id)),
      name: textOr(secret.Name, id),
      versionId: textOr(secret.VersionId, parameterVersionId(parameter)),
      text: parameter.Value,
      binary: undefined,
    };
  }
  return {
    arn: id,
    name: id,
    versionId: parameterVersionId(parameter),
    text: parameter.Value,
    binary: undefined,
  };
}
