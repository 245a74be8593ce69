import { POLICY_OPERATION, secretTarget } from '../../../lib/client/access';
import { POLICY_OPERATIONS } from '../../../lib/policy/operations';

const ARN_PREFIX = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:';

describe('secretTarget', () => {
  it('takes a name as it is', () => {
    expect(secretTarget('prod/billing/db')).toEqual({ secret: 'prod/billing/db', alias: undefined });
  });

  it('takes a full ARN by its name, keeping the partial-ARN reading as the alias', () => {
    expect(secretTarget(`${ARN_PREFIX}prod/billing/db-AbCdEf`)).toEqual({
      secret: 'prod/billing/db',
      alias: 'prod/billing/db-AbCdEf',
    });
  });

  it('takes a partial ARN without a suffix-like ending by its tail alone', () => {
    expect(secretTarget(`${ARN_PREFIX}prod/billing/db`)).toEqual({
      secret: 'prod/billing/db',
      alias: undefined,
    });
  });
});

describe('POLICY_OPERATION', () => {
  it('maps every operation kind to the policy operation of the same name', () => {
    expect(Object.keys(POLICY_OPERATION).sort()).toEqual([...POLICY_OPERATIONS].sort());
    for (const [kind, operation] of Object.entries(POLICY_OPERATION)) expect(operation).toBe(kind);
  });
});
