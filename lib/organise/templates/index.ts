export { applyTemplate } from './apply-template';
export type {
  AppliedSecret,
  AppliedStatus,
  ApplyTemplateOptions,
  ApplyTemplateResult,
} from './apply-template';
export { TemplateCatalog, defineTemplate, loadTemplateFile } from './catalog';
export { describeTemplate, listTemplates } from './describe-template';
export type {
  CatalogOption,
  FieldDescription,
  TemplateDescription,
  TemplateSecretDescription,
  TemplateSummary,
} from './describe-template';
export { TemplateError } from './template-error';
export type { TemplateProblem } from './template-error';
export { DEFAULT_PRODUCTION_ENVIRONMENTS } from './template-options';
export type { TemplateScopeOptions } from './template-options';
export type {
  Charset,
  EnvironmentPrefixes,
  Exposure,
  FieldRules,
  StringRules,
  Template,
  TemplateDefinition,
  TemplateSecret,
  TemplateSecretDefinition,
  ValueFormat,
  ValueRules,
} from './template';
export { validateService } from './validate-service';
export type { ServiceIssue, ValidateServiceOptions, ValidateServiceResult } from './validate-service';
