import { ServiceFault } from './fault';
import type { HttpRequest } from './http-server';
import { KMS_OPERATIONS } from './kms/operations';
import { LOGS_OPERATIONS } from './logs/operations';
import { SECRETS_MANAGER_OPERATIONS } from './secrets-manager';
import { SSM_OPERATIONS } from './ssm';
import type { Body } from './wire';

/** A request the endpoint understood: which operation, for which region, with what input. */
export interface ParsedCall {
  readonly service: 'secretsmanager' | 'kms' | 'logs' | 'ssm';
  readonly operation: string;
  /** The region the request was signed for. */
  readonly region: string;
  readonly body: Body;
}

const CREDENTIAL_REGION = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//;
const SERVICES = {
  secretsmanager: 'secretsmanager',
  TrentService: 'kms',
  Logs_20140328: 'logs',
  AmazonSSM: 'ssm',
} as const;

export function isKmsTarget(request: HttpRequest): boolean {
  return String(request.headers['x-amz-target'] ?? '').startsWith('TrentService.');
}

export function isLogsTarget(request: HttpRequest): boolean {
  return String(request.headers['x-amz-target'] ?? '').startsWith('Logs_20140328.');
}

export function isSsmTarget(request: HttpRequest): boolean {
  return String(request.headers['x-amz-target'] ?? '').startsWith('AmazonSSM.');
}

/**
 * Reads the AWS JSON 1.1 envelope: `X-Amz-Target` names the operation, the SigV4
 * Authorization header the region (signatures are not checked), the body its input.
 */
export function parseCall(request: HttpRequest): ParsedCall {
  if (request.method !== 'POST')
    throw new ServiceFault('UnknownOperationException', 'Only POST is supported.', 405);
  const target = String(request.headers['x-amz-target'] ?? '');
  const dot = target.indexOf('.');
  const prefix = dot < 0 ? target : target.slice(0, dot);
  const operation = dot < 0 ? '' : target.slice(dot + 1);
  const service = Object.hasOwn(SERVICES, prefix) ? SERVICES[prefix as keyof typeof SERVICES] : undefined;
  const table =
    service === 'secretsmanager'
      ? SECRETS_MANAGER_OPERATIONS
      : service === 'kms'
        ? KMS_OPERATIONS
        : service === 'logs'
          ? LOGS_OPERATIONS
          : service === 'ssm'
            ? SSM_OPERATIONS
            : {};
  if (service === undefined || !Object.hasOwn(table, operation)) {
    throw new ServiceFault(
      'UnknownOperationException',
      `Unknown operation ${target === '' ? '(no X-Amz-Target)' : target}.`,
    );
  }
  const authorization = String(request.headers.authorization ?? '');
  if (authorization === '') {
    throw new ServiceFault(
      'MissingAuthenticationTokenException',
      'Request is missing Authentication Token',
      403,
    );
  }
  const region = CREDENTIAL_REGION.exec(authorization)?.[1] ?? 'us-east-1';
  let body: unknown;
  try {
    body = request.body === '' ? {} : JSON.parse(request.body);
  } catch {
    throw new ServiceFault('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ServiceFault('ValidationException', 'The request body must be a JSON object.');
  }
  return { service, operation, region, body: body as Body };
}
