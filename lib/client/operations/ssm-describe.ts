import { SecretNotFoundError, ValidationError, show } from '../../errors';
import type { Operation } from '../operation';
import { checkCallOptions, type CallOptions } from '../options';
import { REFERENCE_PATH, isSsmId, parameterName, validateSsmId } from '../ssm-source';
import type { ParameterType } from './ssm-path';
import { sendSsm } from './ssm-read';
import { ssmSdk } from './ssm-sdk';

/** Everything about an SSM parameter but its value, as `describeParameter` answers. */
export interface ParameterSummary {
  /** The `ssm:` id: `ssm:/prod/billing/db_password`. */
  readonly id: string;
  readonly name: string;
  readonly arn: string;
  readonly type: ParameterType;
  /** Parameter Store's version number of the latest version. */
  readonly version: number;
  /** The KMS key a SecureString is encrypted under. */
  readonly keyId: string | undefined;
  readonly lastModifiedDate: Date | undefined;
  readonly description: string | undefined;
  readonly tier: string | undefined;
}

function validateDescribed(id: unknown): string {
  if (!isSsmId(id)) {
    throw new ValidationError(
      'id',
      `describeParameter takes an ssm: id such as 'ssm:/prod/billing/db_url', got ${show(id)}.`,
    );
  }
  const checked = validateSsmId(id);
  if (parameterName(checked).startsWith(REFERENCE_PATH)) {
    throw new ValidationError(
      'id',
      `${show(id)} is a Secrets Manager secret read through Parameter Store, which DescribeParameters does not list: describe the secret itself.`,
    );
  }
  return checked;
}

/**
 * `describeParameter`: an SSM parameter's metadata with DescribeParameters (a `Name` filter,
 * `Equals`), so its value is never read, not even encrypted. A listing for the access
 * policy, as `describe` is for a secret.
 */
export const describeParameter: Operation<[id: string, options: CallOptions], string, ParameterSummary> = {
  name: 'describeParameter',
  kind: 'list',
  validate: (id, options) => (checkCallOptions(options, 'describeParameter'), validateDescribed(id)),
  secretId: (id) => id,
  call: async (id, context) => {
    const name = parameterName(id);
    const output = await sendSsm(context, 'DescribeParameters', id, (ssm) =>
      ssm.send(
        new (ssmSdk().DescribeParametersCommand)({
          ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }],
        }),
      ),
    );
    const found = (output.Parameters ?? []).find((parameter) => parameter.Name === name);
    if (found === undefined) {
      throw new SecretNotFoundError(
        `SSM parameter ${name} does not exist (DescribeParameters found no parameter of that name).`,
        {
          secretId: id,
        },
      );
    }
    return {
      id,
      name,
      arn: found.ARN ?? '',
      type: (found.Type ?? 'String') as ParameterType,
      version: found.Version ?? 0,
      keyId: found.KeyId,
      lastModifiedDate: found.LastModifiedDate,
      description: found.Description,
      tier: found.Tier,
    };
  },
};
