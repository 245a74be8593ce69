export { SECRET_KIND_SPECS, checkSecretShape, kindOf, recommendedRotation } from './registry';
export { rotationAdvice } from './rotation-advice';
export type { ConfiguredRotation, RotationAdvice } from './rotation-advice';
export { rotationIntervalDays } from './rotation-schedule';
export type { RotationRules } from './rotation-schedule';
export type { RotationRecommendation, SecretKindSpec, StoredValue } from './kind-spec';
