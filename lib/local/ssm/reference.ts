import { ServiceFault } from '../fault';
import { getSecretValue } from '../secrets-manager/read-ops';
import type { SmContext } from '../secrets-manager';
import type { SsmContext } from './context';
import { accessDenied, badSelector, invalidKeyId, validation } from './faults';
import { REFERENCE_PREFIX } from './names';

/*
 * `/aws/reference/secretsmanager/<secret id>[:<VersionId or staging label>]`: Parameter Store
 * passes GetParameter and GetParameters through to Secrets Manager and keeps nothing about the
 * secret. As the Systems Manager user guide documents it (and as AWS answers): the read needs
 * WithDecryption true; the selector is a VersionId of the secret or a staging label (letters,
 * digits, `.`, `-`, `_`); the answer is a SecureString of version 0 whose ARN is the secret's,
 * LastModifiedDate the version's CreatedDate, and SourceResult the GetSecretValue answer as
 * JSON. Other operations (GetParametersByPath, DescribeParameters, writes) don't take it.
 */

const NEEDS_DECRYPTION = 'WithDecryption flag must be True for retrieving a Secret Manager secret.';
const STAGE = /^[A-Za-z0-9._-]+$/;

export const isReference = (name: string): boolean => name.startsWith(REFERENCE_PREFIX);

/** The Parameter a reference reads, or the fault Parameter Store answers. */
export function referenceParameter(ctx: SsmContext, raw: string, withDecryption: boolean): object {
  const rest = raw.slice(REFERENCE_PREFIX.length);
  const parts = rest.split(':');
  // The syntax is checked before the decryption flag, as the service does.
  if (parts.length > 2 || parts[1] === '') throw badSelector();
  if (!withDecryption) throw validation(NEEDS_DECRYPTION);
  const secretId = parts[0]!;
  const selector = parts[1];
  if (secretId === '' || (selector !== undefined && !STAGE.test(selector))) throw missing(raw);
  const record = ctx.secrets.find(ctx.tx, secretId, ctx.region);
  const byVersionId =
    selector !== undefined && record?.versions.some((version) => version.id === selector) === true;
  const sm: SmContext = {
    store: ctx.secrets,
    keys: ctx.keys,
    tx: ctx.tx,
    access: ctx.access,
    region: ctx.region,
    now: ctx.now,
    // A read starts no rotation.
    startRotation: () => undefined,
  };
  let read: Record<string, unknown>;
  try {
    read = getSecretValue(sm, {
      SecretId: secretId,
      ...(selector === undefined ? {} : byVersionId ? { VersionId: selector } : { VersionStage: selector }),
    }) as Record<string, unknown>;
  } catch (error) {
    throw passedThrough(error, raw);
  }
  return {
    Name: REFERENCE_PREFIX + secretId,
    Type: 'SecureString',
    ...(typeof read.SecretString === 'string' ? { Value: read.SecretString } : {}),
    Version: 0,
    ...(selector === undefined ? {} : { Selector: `:${selector}` }),
    SourceResult: JSON.stringify(read),
    LastModifiedDate: read.CreatedDate,
    ARN: read.ARN,
  };
}

function missing(raw: string): ServiceFault {
  return new ServiceFault(
    'ParameterNotFound',
    `An error occurred (ParameterNotFound) when referencing Secrets Manager: Secret ${raw.slice(1)} not found. Check the secret's name or ARN, the Region, and the version or staging label.`,
  );
}

/** Secrets Manager's refusal, in Parameter Store's terms. */
function passedThrough(error: unknown, raw: string): unknown {
  if (!(error instanceof ServiceFault)) return error;
  switch (error.type) {
    case 'ResourceNotFoundException':
      return missing(raw);
    case 'InvalidRequestException':
      return validation(`Invalid Request to Secrets Manager: ${error.message}`);
    case 'AccessDeniedException':
      return accessDenied(error.message);
    case 'DecryptionFailure':
      return invalidKeyId(error.message);
    default:
      return error;
  }
}
