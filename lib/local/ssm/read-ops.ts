import { ServiceFault } from '../fault';
import { epochSeconds } from '../wire';
import { flag, integer, text, textList, type Run, type SsmContext } from './context';
import { decryptValue } from './encryption';
import { notFound, validation, versionNotFound } from './faults';
import { parseRef, selectorText, type Selector } from './names';
import { namedParameter } from './write-ops';
import { isReference, referenceParameter } from './reference';
import { latest, type ParameterRecord, type ParameterVersion } from './records';
import { decodeToken, encodeToken } from './tokens';

/** A version's value as a read answers it: decrypted, or for a SecureString without decryption its ciphertext. */
export function valueOf(
  ctx: SsmContext,
  record: ParameterRecord,
  version: ParameterVersion,
  withDecryption: boolean,
): string {
  const stored = ctx.parameters.value(ctx.tx, record, version.version)!.value;
  if (version.type !== 'SecureString' || !withDecryption) return stored;
  return decryptValue(ctx, version.keyId!, ctx.parameters.arn(record), stored);
}

/** The Parameter object of GetParameter, GetParameters and GetParametersByPath. */
export function parameterView(
  ctx: SsmContext,
  record: ParameterRecord,
  version: ParameterVersion,
  withDecryption: boolean,
  selector?: Selector,
): object {
  return {
    Name: record.name,
    Type: version.type,
    Value: valueOf(ctx, record, version, withDecryption),
    Version: version.version,
    ...(selector === undefined ? {} : { Selector: selectorText(selector) }),
    LastModifiedDate: epochSeconds(version.modifiedAt),
    ARN: ctx.parameters.arn(record),
    DataType: version.dataType,
  };
}

/** The version a selector names: the latest, a version number, or the version holding a label. */
function selectVersion(
  record: ParameterRecord,
  selector: Selector | undefined,
  raw: string,
): ParameterVersion {
  if (selector === undefined) return latest(record);
  if ('version' in selector) {
    const version = record.versions.find((v) => v.version === selector.version);
    if (version === undefined) {
      throw versionNotFound(
        `Systems Manager could not find version ${selector.version} of ${record.name}. Verify the version and try again.`,
      );
    }
    return version;
  }
  const labelled = record.versions.find((v) => v.labels.includes(selector.label));
  if (labelled === undefined) throw notFound(raw);
  return labelled;
}

/** One parameter as a read names it (name or ARN, a `:version` or `:label`), or a Secrets Manager reference. */
function readOne(ctx: SsmContext, raw: string, withDecryption: boolean): object {
  if (isReference(raw)) return referenceParameter(ctx, raw, withDecryption);
  const ref = parseRef(raw, ctx.region, ctx.parameters.accountId);
  const record = ref === undefined ? undefined : ctx.parameters.lookup(ctx.tx, ctx.region, ref);
  if (record === undefined) throw notFound(raw);
  return parameterView(ctx, record, selectVersion(record, ref!.selector, raw), withDecryption, ref!.selector);
}

/** GetParameter: one parameter, its latest version or the one a selector names. */
export const getParameter: Run = (ctx, body) => ({
  Parameter: readOne(ctx, text(body, 'Name')!, flag(body, 'WithDecryption') ?? false),
});

/** GetParameters: up to 10, in the order asked; those that can't be read are answered in InvalidParameters. */
export const getParameters: Run = (ctx, body) => {
  const withDecryption = flag(body, 'WithDecryption') ?? false;
  const Parameters: object[] = [];
  const InvalidParameters: string[] = [];
  for (const name of new Set(textList(body, 'Names')!)) {
    try {
      Parameters.push(readOne(ctx, name, withDecryption));
    } catch (error) {
      if (!(error instanceof ServiceFault)) throw error;
      InvalidParameters.push(name);
    }
  }
  return { Parameters, InvalidParameters };
};

/** GetParameterHistory: every version kept, oldest first, with its settings and labels. */
export const getParameterHistory: Run = (ctx, body) => {
  const name = text(body, 'Name')!;
  if (isReference(name)) {
    throw validation(
      'Parameters that reference Secrets Manager secrets have no Parameter Store history: read the secret with ListSecretVersionIds.',
    );
  }
  const record = namedParameter(ctx, name);
  const withDecryption = flag(body, 'WithDecryption') ?? false;
  const max = integer(body, 'MaxResults') ?? 50;
  const token = text(body, 'NextToken');
  const after = token === undefined ? 0 : Number(decodeToken(token, 'history', record.name)[0]);
  const rest = record.versions.filter((version) => version.version > after);
  const page = rest.slice(0, max);
  return {
    Parameters: page.map((version) => ({
      Name: record.name,
      Type: version.type,
      ...(version.keyId === undefined ? {} : { KeyId: version.keyId }),
      LastModifiedDate: epochSeconds(version.modifiedAt),
      LastModifiedUser: version.modifiedBy,
      ...(version.description === undefined ? {} : { Description: version.description }),
      Value: valueOf(ctx, record, version, withDecryption),
      ...(version.allowedPattern === undefined ? {} : { AllowedPattern: version.allowedPattern }),
      Version: version.version,
      Labels: [...version.labels],
      Tier: version.tier,
      Policies: [],
      DataType: version.dataType,
    })),
    ...(rest.length > max
      ? { NextToken: encodeToken({ kind: 'history', scope: record.name, position: [page.at(-1)!.version] }) }
      : {}),
  };
};
