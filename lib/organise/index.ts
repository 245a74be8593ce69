/**
 * keystage/organise: service templates, groups of secrets rotated all-or-nothing and their
 * dependencies. Everything runs through a `SecretsClient`, so its access policy, rate
 * limits and audit trail apply to every step.
 */
export {
  SECRET_KIND_SPECS,
  checkSecretShape,
  recommendedRotation,
  rotationAdvice,
  rotationIntervalDays,
} from './kinds';
export type {
  ConfiguredRotation,
  RotationAdvice,
  RotationRecommendation,
  RotationRules,
  SecretKindSpec,
  StoredValue,
} from './kinds';
export {
  DEFAULT_PRODUCTION_ENVIRONMENTS,
  TemplateCatalog,
  TemplateError,
  applyTemplate,
  defineTemplate,
  describeTemplate,
  listTemplates,
  loadTemplateFile,
  validateService,
} from './templates';
export {
  defineGroup,
  dependenciesOf,
  dependsOn,
  groupMembers,
  groupOf,
  impact,
  removeDependencies,
  removeFromGroup,
  rotateGroup,
} from './groups';
export type {
  GroupDefinition,
  GroupRotationResult,
  Impact,
  ImpactedSecret,
  ImpactedSecretRef,
  MemberOutcome,
  MemberRotation,
  RotateGroupOptions,
} from './groups';
export type {
  AppliedSecret,
  AppliedStatus,
  ApplyTemplateOptions,
  ApplyTemplateResult,
  CatalogOption,
  Charset,
  EnvironmentPrefixes,
  Exposure,
  FieldDescription,
  FieldRules,
  ServiceIssue,
  StringRules,
  Template,
  TemplateDefinition,
  TemplateDescription,
  TemplateProblem,
  TemplateScopeOptions,
  TemplateSecret,
  TemplateSecretDefinition,
  TemplateSecretDescription,
  TemplateSummary,
  ValidateServiceOptions,
  ValidateServiceResult,
  ValueFormat,
  ValueRules,
} from './templates';
