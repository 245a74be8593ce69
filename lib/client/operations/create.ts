import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { ValidationError, show } from '../../errors';
import {
  generateApiKey,
  generateDataKey,
  generateDatabaseCredentials,
  generatePassword,
  generateSymmetricKey,
} from '../../generate';
import { audited, call, type ClientContext } from '../context';
import { encodeSecretValue, type EncodedValue } from '../encode-value';
import { recordToTags } from '../metadata';
import { KEYSTAGE_TAGS, type CreateSecretOptions, type SecretKind, type SecretRef } from '../types';
import {
  MAX_TAGS,
  validateKmsKeyId,
  validateRegion,
  validateSecretName,
  validateTags,
  validateText,
} from '../validation';

const KINDS: readonly SecretKind[] = ['database', 'api-key', 'symmetric-key', 'data-key', 'generic', 'json'];
const SEGMENT = /^[A-Za-z0-9_.+=@-]{1,64}$/;

function segment(value: unknown, field: string): string {
  if (typeof value !== 'string' || !SEGMENT.test(value)) {
    throw new ValidationError(
      field,
      `${field} ${show(value)} must be 1 to 64 characters of A-Z a-z 0-9 _ . + = @ - (no '/').`,
    );
  }
  return value;
}

interface CreatePlan {
  readonly name: string;
  readonly kind: SecretKind;
  readonly tags: Record<string, string>;
  readonly replicaRegions: readonly string[];
}

function isJsonText(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null;
  } catch {
    return false;
  }
}

/** Checks every option; nothing is generated or sent until all of them pass. */
function planCreate(options: CreateSecretOptions): CreatePlan {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', 'create needs { name, kind }.');
  }
  if (!KINDS.includes(options.kind)) {
    throw new ValidationError('kind', `kind ${show(options.kind)} must be one of ${KINDS.join(', ')}.`);
  }
  const environment =
    options.environment === undefined ? undefined : segment(options.environment, 'environment');
  const service = options.service === undefined ? undefined : segment(options.service, 'service');
  validateSecretName(options.name);
  const name = validateSecretName([environment, service, options.name].filter(Boolean).join('/'), 'name');
  if (options.description !== undefined) validateText(options.description, 'description', 2048);
  if (options.kmsKeyId !== undefined) validateKmsKeyId(options.kmsKeyId);

  const userTags = options.tags === undefined ? {} : validateTags(options.tags);
  const reserved = Object.keys(userTags).find((key) => key.startsWith('keystage:'));
  if (reserved !== undefined) {
    throw new ValidationError(
      'tags',
      `tag ${show(reserved)} uses the 'keystage:' prefix, which keystage manages.`,
    );
  }
  const tags: Record<string, string> = {
    ...userTags,
    [KEYSTAGE_TAGS.type]: options.kind,
    [KEYSTAGE_TAGS.status]: 'active',
    ...(environment === undefined ? {} : { [KEYSTAGE_TAGS.environment]: environment }),
    ...(service === undefined ? {} : { [KEYSTAGE_TAGS.service]: service }),
  };
  if (Object.keys(tags).length > MAX_TAGS) {
    throw new ValidationError(
      'tags',
      `With keystage's own tags the secret would carry ${Object.keys(tags).length} tags; the limit is ${MAX_TAGS}.`,
    );
  }

  const replicaRegions = options.replicaRegions ?? [];
  if (!Array.isArray(replicaRegions))
    throw new ValidationError('replicaRegions', 'replicaRegions must be an array of region names.');
  replicaRegions.forEach((region, i) => validateRegion(region, `replicaRegions[${i}]`));
  if (new Set(replicaRegions).size !== replicaRegions.length) {
    throw new ValidationError('replicaRegions', 'replicaRegions lists a region twice.');
  }

  if (options.value === undefined) {
    if (options.kind === 'json')
      throw new ValidationError('value', "A 'json' secret needs a value: keystage cannot invent its fields.");
    if (options.kind === 'database' && options.database === undefined) {
      throw new ValidationError(
        'database',
        "A 'database' secret without a value needs database: { engine, host, username }.",
      );
    }
    if (options.kind === 'data-key' && options.kmsKeyId === undefined) {
      throw new ValidationError(
        'kmsKeyId',
        "A 'data-key' secret needs kmsKeyId: the KMS key that wraps the data key.",
      );
    }
  } else if (
    typeof options.value === 'object' &&
    !(options.value instanceof Uint8Array) &&
    !['json', 'database'].includes(options.kind)
  ) {
    throw new ValidationError(
      'value',
      `A '${options.kind}' secret takes a string or bytes; objects are for 'json' and 'database'.`,
    );
  }
  if (options.kind === 'json' && typeof options.value === 'string' && !isJsonText(options.value)) {
    throw new ValidationError('value', "A 'json' secret given as text must be a JSON object or array.");
  }
  return { name, kind: options.kind, tags, replicaRegions };
}

/** The value by kind when none is given. A data key is stored wrapped, never in plaintext. */
async function generateValue(ctx: ClientContext, options: CreateSecretOptions): Promise<EncodedValue> {
  switch (options.kind) {
    case 'generic':
      return { SecretString: generatePassword() };
    case 'api-key':
      return {
        SecretString: generateApiKey(
          options.apiKeyPrefix === undefined ? {} : { prefix: options.apiKeyPrefix },
        ),
      };
    case 'symmetric-key':
      return { SecretBinary: generateSymmetricKey() };
    case 'database':
      return { SecretString: generateDatabaseCredentials(options.database!).toSecretString() };
    case 'data-key': {
      const key = await generateDataKey(ctx.kms, { keyId: options.kmsKeyId! });
      key.destroy();
      return {
        SecretString: JSON.stringify({
          keyId: key.keyId,
          wrappedKey: Buffer.from(key.wrappedKey).toString('base64'),
          keySpec: 'AES_256',
        }),
      };
    }
    case 'json':
      throw new ValidationError('value', "A 'json' secret needs a value.");
  }
}

/** Creates a secret, generating its value by kind when none is given. */
export async function createSecret(ctx: ClientContext, options: CreateSecretOptions): Promise<SecretRef> {
  const plan = planCreate(options);
  const value =
    options.value === undefined ? await generateValue(ctx, options) : encodeSecretValue(options.value);
  return audited(
    ctx,
    'create',
    plan.name,
    async () => {
      const output = await call('CreateSecret', plan.name, () =>
        ctx.sm.send(
          new CreateSecretCommand({
            Name: plan.name,
            ...value,
            Tags: recordToTags(plan.tags),
            ...(options.description === undefined ? {} : { Description: options.description }),
            ...(options.kmsKeyId === undefined ? {} : { KmsKeyId: options.kmsKeyId }),
            ...(plan.replicaRegions.length === 0
              ? {}
              : { AddReplicaRegions: plan.replicaRegions.map((Region) => ({ Region })) }),
          }),
        ),
      );
      ctx.logger.debug('secret created', { name: plan.name, kind: plan.kind, versionId: output.VersionId });
      return { arn: output.ARN ?? '', name: output.Name ?? plan.name, versionId: output.VersionId ?? '' };
    },
    (ref) => ({
      ...(plan.tags[KEYSTAGE_TAGS.environment] === undefined
        ? {}
        : { environment: plan.tags[KEYSTAGE_TAGS.environment] }),
      details: { kind: plan.kind, versionId: ref.versionId },
    }),
  );
}
