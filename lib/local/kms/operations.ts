import type { Operation } from '../operation';
import { ALIAS_OPERATIONS } from './alias-ops';
import type { KmsContext, Run } from './context';
import { CRYPTO_OPERATIONS } from './crypto-ops';
import { DATA_KEY_OPERATIONS } from './data-key-ops';
import { LIFECYCLE_OPERATIONS } from './lifecycle-ops';
import { POLICY_OPERATIONS } from './policy-ops';
import { ROTATION_OPERATIONS } from './rotation-ops';
import { SHAPES, type KmsOperationName } from './shapes';
import { SIGNING_OPERATIONS } from './signing-ops';
import { TAG_OPERATIONS } from './tag-ops';

export type { KmsContext } from './context';

const RUN: Record<KmsOperationName, Run> = {
  ...LIFECYCLE_OPERATIONS,
  ...ROTATION_OPERATIONS,
  ...ALIAS_OPERATIONS,
  ...TAG_OPERATIONS,
  ...POLICY_OPERATIONS,
  ...CRYPTO_OPERATIONS,
  ...DATA_KEY_OPERATIONS,
  ...SIGNING_OPERATIONS,
};

/**
 * The KMS operations the local endpoint answers, by `X-Amz-Target` name. Before each one
 * runs, the keys are brought up to the endpoint's clock: keys whose deletion window ended
 * are gone and due automatic rotations happen, in the operation's own transaction.
 */
export const KMS_OPERATIONS: Readonly<Record<string, Operation<KmsContext>>> = Object.fromEntries(
  (Object.keys(RUN) as KmsOperationName[]).map((name) => [
    name,
    {
      input: SHAPES[name],
      run: (ctx: KmsContext, body) => {
        ctx.keys.sweep(ctx.tx, ctx.now());
        return RUN[name](ctx, body);
      },
    } satisfies Operation<KmsContext>,
  ]),
);
