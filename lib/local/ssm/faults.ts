import { ServiceFault } from '../fault';

/**
 * The exceptions Parameter Store documents for the operations the endpoint answers, by the
 * names the SDK turns into its classes (`ParameterNotFound`, ...). Messages name parameters,
 * versions, labels and keys, never a value.
 */
const fault =
  (type: string) =>
  (message: string): ServiceFault =>
    new ServiceFault(type, message);

export const validation = fault('ValidationException');
export const alreadyExists = fault('ParameterAlreadyExists');
export const versionNotFound = fault('ParameterVersionNotFound');
export const hierarchyLevelLimit = fault('HierarchyLevelLimitExceededException');
export const hierarchyTypeMismatch = fault('HierarchyTypeMismatchException');
export const invalidAllowedPattern = fault('InvalidAllowedPatternException');
export const patternMismatch = fault('ParameterPatternMismatchException');
export const invalidKeyId = fault('InvalidKeyId');
export const maxVersionLimit = fault('ParameterMaxVersionLimitExceeded');
export const labelLimit = fault('ParameterVersionLabelLimitExceeded');
export const invalidFilterKey = fault('InvalidFilterKey');
export const invalidFilterOption = fault('InvalidFilterOption');
export const invalidFilterValue = fault('InvalidFilterValue');
export const invalidResourceId = fault('InvalidResourceId');
export const invalidResourceType = fault('InvalidResourceType');
export const tooManyTags = fault('TooManyTagsError');
export const accessDenied = fault('AccessDeniedException');
export const unsupported = fault('UnsupportedOperationException');

/** The internal error type Parameter Store answers a 500 with. */
export const SSM_INTERNAL_ERROR = 'InternalServerError';

export const notFound = (name: string): ServiceFault =>
  new ServiceFault(
    'ParameterNotFound',
    `Parameter ${name} not found: check its name (names are case-sensitive) and the Region.`,
  );

export const badToken = (): ServiceFault =>
  new ServiceFault(
    'InvalidNextToken',
    "The specified token isn't valid: pass the NextToken of the previous page of the same request.",
  );

/** A name with more than one selector, or an empty one. */
export const badSelector = (): ServiceFault =>
  validation(
    'Invalid parameter name. Please use correct syntax for referencing a version/label  <name>:<version/label>',
  );
