import type { SecretVersion } from '../../client';
import { KeystageError, type KeystageErrorCode } from '../../errors';

/** What the agent sends back: a status, a body, and whether the body is JSON. */
export interface AgentReply {
  readonly status: number;
  readonly body: string;
  readonly json: boolean;
}

/** A version's value as read through the client: text, or bytes for a binary secret. */
export type SecretValue = { readonly text: string } | { readonly binary: Uint8Array };

/** The secret a value belongs to, as DescribeSecret named it. */
export interface SecretNames {
  readonly arn: string;
  readonly name: string;
}

/**
 * The Agent's `CreatedDate`: epoch seconds with their fraction, as a string
 * (serde_with's TimestampSecondsWithFrac<String>), e.g. `"1569534789.046"`.
 */
export function epochSeconds(date: Date | undefined): string | null {
  if (date === undefined) return null;
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  const fraction = ms - seconds * 1000;
  return fraction === 0
    ? String(seconds)
    : `${seconds}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}`;
}

/**
 * A read's answer in GetSecretValue's JSON shape, keys in the Agent's order: ARN, Name,
 * VersionId, SecretString or SecretBinary (base64), VersionStages, CreatedDate.
 */
export function valueReply(secret: SecretNames, version: SecretVersion, value: SecretValue): AgentReply {
  const body = {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.versionId,
    ...('text' in value
      ? { SecretString: value.text }
      : { SecretBinary: Buffer.from(value.binary).toString('base64') }),
    VersionStages: version.stages,
    CreatedDate: epochSeconds(version.createdAt),
  };
  return { status: 200, body: JSON.stringify(body), json: true };
}

/** A plain-text answer, as the Agent gives for `/ping` and its own refusals. */
export function textReply(status: number, message: string): AgentReply {
  return { status, body: message, json: false };
}

/** The Agent's error body: the service's error type and message in JSON 1.1 form. */
function serviceErrorReply(status: number, type: string, message: string): AgentReply {
  return {
    status,
    body: JSON.stringify(
      message === '' || type === 'InternalFailure'
        ? { __type: 'InternalFailure' }
        : { __type: type, message },
    ),
    json: true,
  };
}

const INTERNAL_FAILURE: AgentReply = serviceErrorReply(500, 'InternalFailure', '');

/**
 * The error type (and status) a keystage error stands for when no service answer is behind
 * it: the access policy's refusals, validation, and what the client decided on its own.
 */
const BY_CODE: Partial<Record<KeystageErrorCode, readonly [status: number, type: string]>> = {
  SECRET_NOT_FOUND: [400, 'ResourceNotFoundException'],
  PERMISSION_DENIED: [400, 'AccessDeniedException'],
  SECRET_REVOKED: [400, 'AccessDeniedException'],
  SECRET_SCHEDULED_FOR_DELETION: [400, 'InvalidRequestException'],
  VALIDATION_ERROR: [400, 'InvalidParameterException'],
  THROTTLED: [400, 'ThrottlingException'],
  CONFLICT: [400, 'InvalidRequestException'],
};

interface ServiceErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/** The SDK's answer behind an error: the first cause that carries an HTTP status. */
function serviceAnswer(error: unknown): { status: number; type: string; message: string } | undefined {
  for (let cause = error, depth = 0; typeof cause === 'object' && cause !== null && depth < 5; depth++) {
    const shape = cause as ServiceErrorShape;
    const status = shape.$metadata?.httpStatusCode;
    if (typeof status === 'number' && typeof shape.name === 'string') {
      return { status, type: shape.name, message: typeof shape.message === 'string' ? shape.message : '' };
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

function isTimeout(error: KeystageError): boolean {
  const name = (error.cause as { name?: unknown } | undefined)?.name;
  return name === 'TimeoutError' || name === 'RequestTimeout' || name === 'RequestTimeoutException';
}

/**
 * The Agent's answer to a failed read (its cache_manager.rs): the service's status, error
 * type and message passed through; a timeout is 504 `TimeoutError`, a network failure 502
 * `ConnectionError`; anything else 500 `InternalFailure`. A refusal keystage made itself
 * (the access policy, a rate limit, bad parameters) takes the type the service would have
 * used, with keystage's message. Messages name secrets and rules, never values.
 */
export function errorReply(error: unknown): AgentReply {
  if (!(error instanceof KeystageError)) return INTERNAL_FAILURE;
  const answer = serviceAnswer(error.cause);
  if (answer !== undefined) return serviceErrorReply(answer.status, answer.type, answer.message);
  if (error.code === 'SERVICE_UNAVAILABLE') {
    return isTimeout(error)
      ? serviceErrorReply(504, 'TimeoutError', 'Timeout')
      : serviceErrorReply(502, 'ConnectionError', 'Read Error');
  }
  const mapped = BY_CODE[error.code];
  return mapped === undefined ? INTERNAL_FAILURE : serviceErrorReply(mapped[0], mapped[1], error.message);
}
