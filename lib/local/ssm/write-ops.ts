import { ServiceFault } from '../fault';
import { flag, integer, modifiedBy, text, textList, type Run, type SsmContext } from './context';
import { DEFAULT_KEY, encryptValue } from './encryption';
import {
  alreadyExists,
  badSelector,
  hierarchyTypeMismatch,
  invalidAllowedPattern,
  labelLimit,
  maxVersionLimit,
  notFound,
  patternMismatch,
  tooManyTags,
  unsupported,
  validation,
  versionNotFound,
} from './faults';
import { checkNewName, parseRef } from './names';
import {
  MAX_LABELS_PER_VERSION,
  MAX_TAGS,
  MAX_VERSIONS,
  latest,
  type ParameterRecord,
  type ParameterTier,
  type ParameterType,
  type ParameterVersion,
} from './records';
import type { Body } from '../wire';

/** The largest value of each tier, in bytes (4 KB and 8 KB). */
const TIER_LIMITS: Record<ParameterTier, number> = { Standard: 4096, Advanced: 8192 };
const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'];
const AMI_ID = /^ami-[0-9a-f]{8,17}$/;

/** The request's tags in order, at most 50, each key once (the last value wins). */
function tagsOf(body: Body): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const { Key, Value } of (body.Tags ?? []) as Array<{ Key: string; Value: string }>) tags[Key] = Value;
  if (Object.keys(tags).length > MAX_TAGS) {
    throw tooManyTags(
      `A parameter can have at most ${MAX_TAGS} tags; the request has ${Object.keys(tags).length}.`,
    );
  }
  return tags;
}

/**
 * The tier a value is stored in: the one asked for; Intelligent-Tiering picks Standard while
 * the value fits it (and the parameter was never advanced); none keeps the parameter's own.
 */
function tierFor(
  asked: string | undefined,
  bytes: number,
  previous: ParameterVersion | undefined,
): ParameterTier {
  const tier: ParameterTier =
    asked === 'Standard' || asked === 'Advanced'
      ? asked
      : asked === 'Intelligent-Tiering'
        ? bytes > TIER_LIMITS.Standard || previous?.tier === 'Advanced'
          ? 'Advanced'
          : 'Standard'
        : (previous?.tier ?? 'Standard');
  if (tier === 'Standard' && previous?.tier === 'Advanced') {
    throw validation(
      "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
    );
  }
  if (bytes > TIER_LIMITS[tier]) {
    throw validation(
      tier === 'Standard'
        ? `Standard tier parameters support a maximum parameter value of ${TIER_LIMITS.Standard} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier (Tier Advanced or Intelligent-Tiering).`
        : `Advanced tier parameters support a maximum parameter value of ${TIER_LIMITS.Advanced} characters.`,
    );
  }
  return tier;
}

/** Checks the value against AllowedPattern, a regular expression the whole value must match. */
function checkPattern(pattern: string | undefined, value: string): void {
  if (pattern === undefined || pattern === '') return;
  let compiled: RegExp;
  try {
    compiled = new RegExp(`^(?:${pattern})$`);
  } catch {
    throw invalidAllowedPattern(
      `The request does not meet the regular expression requirement: AllowedPattern ${pattern} is not a valid regular expression.`,
    );
  }
  if (!compiled.test(value)) {
    throw patternMismatch(`Parameter value, cannot be validated against allowedPattern: ${pattern}`);
  }
}

function checkDataType(dataType: string, type: ParameterType, value: string): void {
  if (!DATA_TYPES.includes(dataType)) {
    throw validation(
      `The following data type is not supported: ${dataType} (Data type names are all lowercase.) Use one of: ${DATA_TYPES.join(', ')}.`,
    );
  }
  if (dataType === 'aws:ec2:image' && (type !== 'String' || !AMI_ID.test(value))) {
    throw validation(
      'A parameter of DataType aws:ec2:image is a String whose value is an AMI ID (ami-0123456789abcdef0).',
    );
  }
}

/**
 * PutParameter: a new parameter (version 1), or with Overwrite a new version of one. Settings
 * the request leaves out (Type, KeyId, Description, AllowedPattern, DataType, Tier) stay as
 * the latest version had them. Everything is checked before anything is written; a
 * SecureString is encrypted under its KMS key (alias/aws/ssm by default).
 */
export const putParameter: Run = (ctx, body) => {
  const name = text(body, 'Name')!;
  checkNewName(name);
  const value = text(body, 'Value')!;
  const overwrite = flag(body, 'Overwrite') ?? false;
  const tags = tagsOf(body);
  if (overwrite && Object.keys(tags).length > 0) {
    throw validation(
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    );
  }
  if (body.Policies !== undefined) {
    throw unsupported(
      'Parameter policies (Expiration, ExpirationNotification, NoChangeNotification) are not supported by the local endpoint: omit Policies.',
    );
  }
  const existing = ctx.parameters.find(ctx.tx, ctx.region, name);
  if (existing !== undefined && !overwrite) {
    throw alreadyExists(
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
  }
  const previous = existing === undefined ? undefined : latest(existing);
  const type = (text(body, 'Type') as ParameterType | undefined) ?? previous?.type;
  if (type === undefined) throw validation('A parameter type is required when you create a parameter.');
  if (previous !== undefined && type !== previous.type) {
    throw hierarchyTypeMismatch(
      `${name} is a ${previous.type} parameter, and Parameter Store doesn't change the type of a parameter: delete it and create it again as a ${type}, or use a new name.`,
    );
  }
  const askedKey = text(body, 'KeyId');
  if (askedKey !== undefined && type !== 'SecureString') {
    throw validation('KeyId is required for SecureString type parameter only.');
  }
  const keyId = type === 'SecureString' ? (askedKey ?? previous?.keyId ?? DEFAULT_KEY) : undefined;
  const description = body.Description === undefined ? previous?.description : text(body, 'Description');
  const allowedPattern =
    body.AllowedPattern === undefined ? previous?.allowedPattern : text(body, 'AllowedPattern');
  const dataType = text(body, 'DataType') ?? previous?.dataType ?? 'text';
  checkDataType(dataType, type, value);
  const tier = tierFor(text(body, 'Tier'), Buffer.byteLength(value, 'utf8'), previous);
  checkPattern(allowedPattern, value);

  const record: ParameterRecord =
    existing === undefined
      ? { region: ctx.region, name, tags, versions: [] }
      : ctx.parameters.edit(ctx.tx, existing);
  if (record.versions.length >= MAX_VERSIONS) {
    const oldest = record.versions[0]!;
    if (oldest.labels.length > 0) {
      throw maxVersionLimit(
        `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
      );
    }
    record.versions.shift();
    ctx.parameters.dropValue(ctx.tx, record, oldest.version);
  }
  const version = (previous?.version ?? 0) + 1;
  const stored = keyId === undefined ? value : encryptValue(ctx, keyId, ctx.parameters.arn(record), value);
  record.versions.push({
    version,
    type,
    ...(keyId === undefined ? {} : { keyId }),
    ...(description === undefined ? {} : { description }),
    ...(allowedPattern === undefined ? {} : { allowedPattern }),
    dataType,
    tier,
    modifiedAt: ctx.now(),
    modifiedBy: modifiedBy(ctx),
    labels: [],
  });
  if (existing === undefined) ctx.parameters.insert(ctx.tx, record);
  ctx.parameters.setValue(ctx.tx, record, version, { value: stored });
  return { Version: version, Tier: tier };
};

/** A label Parameter Store refuses: `aws`/`ssm` prefixes, a leading digit, or other characters. */
function invalidLabel(label: string): boolean {
  return /^(aws|ssm)/i.test(label) || /^\d/.test(label) || !/^[a-zA-Z0-9_.-]+$/.test(label);
}

/** The parameter a request names by name or ARN, without a selector. */
export function namedParameter(ctx: SsmContext, raw: string): ParameterRecord {
  const ref = parseRef(raw, ctx.region, ctx.parameters.accountId);
  if (ref !== undefined && ref.selector !== undefined) throw badSelector();
  const record = ref === undefined ? undefined : ctx.parameters.lookup(ctx.tx, ctx.region, ref);
  if (record === undefined) throw notFound(raw);
  return record;
}

/**
 * LabelParameterVersion: attaches labels to a version (the latest by default), moving each
 * from the version that had it. Labels Parameter Store refuses are answered in InvalidLabels
 * and not attached; a version carries at most 10.
 */
export const labelParameterVersion: Run = (ctx, body) => {
  const found = namedParameter(ctx, text(body, 'Name')!);
  const asked = integer(body, 'ParameterVersion') ?? latest(found).version;
  if (!found.versions.some((version) => version.version === asked)) {
    throw versionNotFound(
      `Systems Manager could not find version ${asked} of ${found.name}. Verify the version and try again.`,
    );
  }
  const labels = textList(body, 'Labels')!;
  const invalid = labels.filter(invalidLabel);
  const valid = [...new Set(labels.filter((label) => !invalidLabel(label)))];
  if (valid.length > 0) {
    const record = ctx.parameters.edit(ctx.tx, found);
    const target = record.versions.find((version) => version.version === asked)!;
    for (const version of record.versions) {
      if (version !== target) version.labels = version.labels.filter((label) => !valid.includes(label));
    }
    for (const label of valid) if (!target.labels.includes(label)) target.labels.push(label);
    if (target.labels.length > MAX_LABELS_PER_VERSION) {
      throw labelLimit(
        `A parameter version can have maximum ${MAX_LABELS_PER_VERSION} labels. Move one or more labels to another version and try again.`,
      );
    }
  }
  return { InvalidLabels: invalid, ParameterVersion: asked };
};

/** DeleteParameter: the parameter with every version. */
export const deleteParameter: Run = (ctx, body) => {
  ctx.parameters.remove(ctx.tx, namedParameter(ctx, text(body, 'Name')!));
  return {};
};

/** DeleteParameters: up to 10; the names that don't exist are answered in InvalidParameters. */
export const deleteParameters: Run = (ctx, body) => {
  const DeletedParameters: string[] = [];
  const InvalidParameters: string[] = [];
  for (const name of new Set(textList(body, 'Names')!)) {
    let record: ParameterRecord;
    try {
      record = namedParameter(ctx, name);
    } catch (error) {
      if (!(error instanceof ServiceFault)) throw error;
      InvalidParameters.push(name);
      continue;
    }
    ctx.parameters.remove(ctx.tx, record);
    DeletedParameters.push(name);
  }
  return { DeletedParameters, InvalidParameters };
};
