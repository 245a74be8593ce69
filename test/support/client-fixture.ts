import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient, SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { AuditEntry } from '../../lib/audit/audit-event';
import { SecretsClient } from '../../lib/client/secrets-client';
import type { KeystageError } from '../../lib/errors';
import { FakeClock } from './fake-clock';

export const ACCOUNT = '123456789012';
export const arnOf = (name: string): string =>
  `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}-AbCdEf`;
/** A VersionId-shaped token (32..64 characters) from a short tag. */
export const version = (tag: string): string => `${tag}-${'0'.repeat(36)}`.slice(0, 36);
export const meta = { $metadata: {} } as const;

/** Mocks of both SDK clients (every instance), reset before each test. */
export const sm = mockClient(SecretsManagerClient);
export const kms = mockClient(KMSClient);

export interface ClientFixture {
  readonly client: SecretsClient;
  readonly clock: FakeClock;
  readonly events: AuditEntry[];
  readonly logs: string[];
}

/** A SecretsClient over the mocks with a fake clock, a recording audit sink and logger. */
export function clientFixture(): ClientFixture {
  sm.reset();
  kms.reset();
  const clock = new FakeClock();
  const events: AuditEntry[] = [];
  const logs: string[] = [];
  const log = (level: string) => (message: string, fields?: object) =>
    logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  const client = new SecretsClient({
    secretsManager: new SecretsManagerClient({ maxAttempts: 1 }),
    kms: new KMSClient({ maxAttempts: 1 }),
    clock,
    audit: { record: (event) => void events.push(event) },
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
  });
  return { client, clock, events, logs };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<KeystageError> {
  try {
    await promise;
  } catch (error) {
    return error as KeystageError;
  }
  throw new Error('expected the call to fail');
}

/**
 * An error the service models no class for (AccessDeniedException, ThrottlingException):
 * the SDK raises its base exception with that name, as these do.
 */
export function serviceError(name: string, message: string, httpStatusCode = 400): Error {
  return new SecretsManagerServiceException({
    name,
    $fault: 'client',
    message,
    $metadata: { httpStatusCode },
  });
}

export function accessDenied(
  message = 'User is not authorized to perform: secretsmanager:GetSecretValue',
): Error {
  return serviceError('AccessDeniedException', message);
}
