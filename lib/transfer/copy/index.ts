export { copyEnvironment } from './copy-environment';
export type { CopyEnvironmentOptions } from './copy-options';
export type {
  CopyChange,
  CopyCreate,
  CopyDenial,
  CopyEntry,
  CopyResult,
  CopySkip,
  CopySkipReason,
  CopyUpdate,
} from './copy-entry';
export type { CopyTransform, TransformScope } from './transforms';
