import { integer, keyOf, requiredText, seconds, type Run } from './context';
import { limitExceeded, unsupported } from './faults';
import { DAY_MS, requireCustomerManaged, requireUsable, type KeyRecord } from './keys';
import { paginate } from './paging';

/** KMS allows this many on-demand rotations per key. */
const MAX_ON_DEMAND = 10;

/** Rotation (automatic and on demand) applies to symmetric encryption keys only. */
function symmetric(key: KeyRecord, operation: string): KeyRecord {
  if (key.spec !== 'SYMMETRIC_DEFAULT') {
    throw unsupported(
      `${key.arn} has KeySpec ${key.spec}: ${operation} applies only to symmetric encryption keys (SYMMETRIC_DEFAULT).`,
    );
  }
  return key;
}

/** A symmetric customer managed key that is enabled. */
function rotatable(key: KeyRecord, operation: string): KeyRecord {
  return requireUsable(requireCustomerManaged(symmetric(key, operation), 'change how its material rotates'));
}

/** Automatic and on-demand rotation of key material. */
export const ROTATION_OPERATIONS = {
  EnableKeyRotation: (ctx, body) => {
    const key = rotatable(keyOf(ctx, requiredText(body, 'KeyId')), 'EnableKeyRotation');
    const periodInDays = integer(body, 'RotationPeriodInDays') ?? 365;
    ctx.keys.save(ctx.tx, {
      ...key,
      rotation: { ...key.rotation, enabled: true, periodInDays, nextAt: ctx.now() + periodInDays * DAY_MS },
    });
    return {};
  },

  DisableKeyRotation: (ctx, body) => {
    const key = rotatable(keyOf(ctx, requiredText(body, 'KeyId')), 'DisableKeyRotation');
    const { periodInDays, onDemand } = key.rotation;
    ctx.keys.save(ctx.tx, { ...key, rotation: { enabled: false, periodInDays, onDemand } });
    return {};
  },

  GetKeyRotationStatus: (ctx, body) => {
    const key = symmetric(keyOf(ctx, requiredText(body, 'KeyId')), 'GetKeyRotationStatus');
    // While a key is pending deletion its status reads false; cancelling brings it back.
    const enabled = key.rotation.enabled && key.state !== 'PendingDeletion';
    return {
      KeyRotationEnabled: enabled,
      KeyId: key.arn,
      ...(enabled
        ? {
            RotationPeriodInDays: key.rotation.periodInDays,
            ...(key.rotation.nextAt === undefined ? {} : { NextRotationDate: seconds(key.rotation.nextAt) }),
          }
        : {}),
    };
  },

  RotateKeyOnDemand: (ctx, body) => {
    const key = rotatable(keyOf(ctx, requiredText(body, 'KeyId')), 'RotateKeyOnDemand');
    if (key.rotation.onDemand >= MAX_ON_DEMAND) {
      throw limitExceeded(
        `${key.arn} was rotated on demand ${MAX_ON_DEMAND} times, the most KMS allows: enable automatic rotation instead.`,
      );
    }
    ctx.keys.rotate(ctx.tx, key, ctx.now(), 'ON_DEMAND');
    return { KeyId: key.id };
  },

  ListKeyRotations: (ctx, body) => {
    const key = symmetric(keyOf(ctx, requiredText(body, 'KeyId')), 'ListKeyRotations');
    const rotations = key.materials.map((material, version) => ({ material, version })).slice(1);
    const page = paginate(rotations, ({ version }) => String(version).padStart(10, '0'), body, 100);
    return {
      Rotations: page.items.map(({ material }) => ({
        KeyId: key.id,
        RotationDate: seconds(material.createdAt),
        RotationType: material.rotation ?? 'AUTOMATIC',
      })),
      ...page.more,
    };
  },
} satisfies Record<string, Run>;
