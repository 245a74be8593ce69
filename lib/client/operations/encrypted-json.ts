import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type CreateSecretCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { KEYSTAGE_TAGS } from '../../core';
import { ConfigurationError, ConflictError, ValidationError } from '../../errors';
import { checkSecretShape, kindOf } from '../../organise/kinds';
import { tagsToRecord } from '../metadata';
import type { CallContext } from '../pipeline';
import { SealedSecretValue, type SecretEnvelope } from '../sealed-value';
import type { EncodedValue } from '../encode-value';

/**
 * The `encrypted-json` kind: a JSON value encrypted on the client with the AWS Encryption
 * SDK before Secrets Manager sees it, its encryption context binding the secret's ARN and
 * the VersionId it is stored under. The VersionId is chosen here and passed as the
 * ClientRequestToken, which Secrets Manager makes the VersionId; the ARN is known only once
 * the secret exists, so `create` makes the secret without a value and then stores the first
 * version (and deletes the empty secret again if that fails, so the create can be retried).
 */

/** The client's envelope, or a ConfigurationError saying how to configure one. Loads the SDK. */
function envelopeOf(context: CallContext, secret: string): SecretEnvelope {
  if (context.envelope === undefined) {
    throw new ConfigurationError(
      'envelope',
      `An encrypted-json secret (${JSON.stringify(secret)}) needs the client's envelope: ` +
        'new SecretsClient({ envelope: { keyId: kmsKeyArn } }).',
      { secretId: secret },
    );
  }
  context.envelope.encryption();
  return context.envelope;
}

/**
 * Checks an encrypted-json create: a JSON value is required, and replicas are refused.
 * @example
 * checkEncryptedJson(options.value, replicaRegions);
 */
export function checkEncryptedJson(value: unknown, replicaRegions: readonly string[]): void {
  if (value === undefined) {
    throw new ValidationError(
      'value',
      "An 'encrypted-json' secret needs a value: keystage cannot invent its fields.",
    );
  }
  if (value instanceof Uint8Array) {
    throw new ValidationError(
      'value',
      "An 'encrypted-json' secret takes a JSON-serialisable object or JSON text, not bytes.",
    );
  }
  if (typeof value === 'string' && !isJsonText(value)) {
    throw new ValidationError(
      'value',
      "An 'encrypted-json' secret given as text must be a JSON object or array.",
    );
  }
  if (replicaRegions.length > 0) {
    throw new ValidationError(
      'replicaRegions',
      "An 'encrypted-json' secret cannot be replicated: its value is bound to the primary ARN and " +
        'encrypted under a single-region KMS key, so a replica could not decrypt it.',
    );
  }
}

/**
 * Whether text is a JSON object or array, as an encrypted-json value must be.
 * @example
 * isJsonText('{"a":1}'); // true
 */
export function isJsonText(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null;
  } catch {
    return false;
  }
}

/** The JSON text of an encoded value (encrypted-json values are always SecretString). */
function plaintextOf(value: EncodedValue): string {
  if (!('SecretString' in value))
    throw new ValidationError('value', "An 'encrypted-json' value must be JSON, not bytes.");
  return value.SecretString;
}

/**
 * `create` of an encrypted-json secret: the secret without a value, then its first version.
 * @example
 * const ref = await createEncrypted(context, { Name: 'prod/app/config', Tags: tags }, { SecretString: '{"a":1}' });
 */
export async function createEncrypted(
  context: CallContext,
  input: Omit<CreateSecretCommandInput, 'SecretString' | 'SecretBinary' | 'ClientRequestToken'> & {
    Name: string;
  },
  value: EncodedValue,
): Promise<{ arn: string; name: string; versionId: string }> {
  const envelope = envelopeOf(context, input.Name);
  const plaintext = plaintextOf(value);
  const created = await context.send('CreateSecret', input.Name, (sm) =>
    sm.send(new CreateSecretCommand(input)),
  );
  const arn = created.ARN ?? '';
  const versionId = randomUUID();
  try {
    const SecretString = await envelope.seal(plaintext, arn, versionId);
    await context.send('PutSecretValue', arn, (sm) =>
      sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString, ClientRequestToken: versionId })),
    );
  } catch (error) {
    // The secret was made by this call and holds nothing yet: remove it so the create can be retried.
    await context
      .send('DeleteSecret', arn, (sm) =>
        sm.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true })),
      )
      .catch(() =>
        context.logger.warn('could not delete the empty encrypted-json secret after a failed create', {
          arn,
        }),
      );
    throw error;
  }
  context.logger.debug('encrypted-json secret created', { name: input.Name, versionId });
  return { arn, name: created.Name ?? input.Name, versionId };
}

/**
 * The ARN of the secret a `put` writes to, from one DescribeSecret, once its `keystage:type`
 * tag agrees with the put: a plain put into an `encrypted-json` secret would store the value
 * unencrypted, and its readers would then be handed it as plain text (a silent downgrade);
 * an encrypted put into a secret of another kind would give its readers ciphertext. Only the
 * service knows the tag (GetSecretValue does not return it, and another process may have
 * created the secret), so every put asks; writing to the ARN it answered keeps the check and
 * the write on the same secret. The same tag names the kind whose shape `value` must have
 * (lib/organise/kinds): a value of the wrong shape is refused here, before anything is written.
 * @example
 * const arn = await checkedPutTarget(context, 'prod/app/config', false, { SecretString: '{"a":1}' });
 */
export async function checkedPutTarget(
  context: CallContext,
  secretId: string,
  encrypted: boolean,
  value: EncodedValue,
): Promise<string> {
  const described = await context.send('DescribeSecret', secretId, (sm) =>
    sm.send(new DescribeSecretCommand({ SecretId: secretId })),
  );
  const kind = tagsToRecord(described.Tags)[KEYSTAGE_TAGS.type];
  if (!encrypted && kind === 'encrypted-json') {
    throw new ValidationError(
      'kind',
      `Secret ${JSON.stringify(secretId)} is an encrypted-json secret: a plain put would store the value ` +
        "unencrypted and its readers would get it as plain text. Pass { kind: 'encrypted-json' } to put, " +
        "with the client's envelope, to encrypt the new version.",
      { secretId },
    );
  }
  if (encrypted && kind !== undefined && kind !== 'encrypted-json') {
    throw new ValidationError(
      'kind',
      `Secret ${JSON.stringify(secretId)} is a '${kind}' secret: its readers expect that, not an encrypted-json value.`,
      { secretId },
    );
  }
  const known = kindOf(kind);
  if (known !== undefined) {
    try {
      checkSecretShape(known, 'SecretString' in value ? value.SecretString : value.SecretBinary);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(
        error.field,
        `Secret ${JSON.stringify(secretId)} is a '${known}' secret and nothing was written: ${error.message}`,
        { secretId },
      );
    }
  }
  return described.ARN ?? secretId;
}

/**
 * `put` of an encrypted-json value: the ARN from DescribeSecret, the VersionId chosen here.
 * @example
 * const { versionId } = await putEncrypted(context, { secretId, value, token: undefined, stages: undefined });
 */
export async function putEncrypted(
  context: CallContext,
  request: {
    readonly secretId: string;
    readonly value: EncodedValue;
    readonly token: string | undefined;
    readonly stages: string[] | undefined;
  },
): Promise<{ arn: string; versionId: string; stages: string[] }> {
  const { secretId } = request;
  const envelope = envelopeOf(context, secretId);
  const plaintext = plaintextOf(request.value);
  const arn = await checkedPutTarget(context, secretId, true, { SecretString: plaintext });
  const versionId = request.token ?? randomUUID();
  const SecretString = await envelope.seal(plaintext, arn, versionId);
  try {
    const output = await context.send('PutSecretValue', secretId, (sm) =>
      sm.send(
        new PutSecretValueCommand({
          SecretId: arn,
          SecretString,
          ClientRequestToken: versionId,
          ...(request.stages === undefined ? {} : { VersionStages: request.stages }),
        }),
      ),
    );
    return { arn, versionId: output.VersionId ?? versionId, stages: output.VersionStages ?? [] };
  } catch (error) {
    // Each encryption differs, so a retried token conflicts even when the first try stored
    // this very value: then the retry has succeeded, as it would for any other kind.
    if (
      request.token !== undefined &&
      error instanceof ConflictError &&
      (await holds(context, arn, versionId, plaintext))
    ) {
      return { arn, versionId, stages: [] };
    }
    throw error;
  }
}

/** Whether version `versionId` of `arn` is an encrypted-json value that opens to `plaintext`. */
async function holds(
  context: CallContext,
  arn: string,
  versionId: string,
  plaintext: string,
): Promise<boolean> {
  try {
    const output = await context.send('GetSecretValue', arn, (sm) =>
      sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: versionId })),
    );
    const sealed = SealedSecretValue.fromText(output.SecretString, context.envelope);
    if (sealed === undefined) return false;
    const version = {
      arn: output.ARN ?? arn,
      name: output.Name ?? arn,
      versionId,
      text: undefined,
      binary: sealed,
    };
    return (await sealed.open(version, arn)) === plaintext;
  } catch {
    return false;
  }
}
