export { RunningCommand, runWithSecrets } from './run-with-secrets';
export { FORWARDED_SIGNALS, parseRotationAction } from './run-options';
export type { OutputStream, RotationAction, RunWithSecretsOptions } from './run-options';
export type { ChildExit } from './child-process';
export { envFromFlags, parseSecretReference } from './env-mapping';
export type { EnvMapping } from './env-mapping';
export { CONCEALED, MaskedStream, OutputMask, concealedForms } from './output-mask';
