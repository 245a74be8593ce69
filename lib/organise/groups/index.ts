export { defineGroup, groupMembers, groupOf, removeFromGroup } from './membership';
export type { GroupDefinition } from './membership';
export { dependenciesOf, dependsOn, impact, removeDependencies } from './dependencies';
export type { Impact, ImpactedSecret, ImpactedSecretRef } from './dependencies';
export { rotateGroup } from './rotate-group';
export type { GroupRotationResult, MemberOutcome, MemberRotation, RotateGroupOptions } from './rotate-group';
