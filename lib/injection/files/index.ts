export { FileInjector } from './file-injector';
export type { FileInjectorOptions, FileStatus, FileWriteTrigger } from './file-injector';
export type { SecretFile, WriteSecretFilesOptions } from './file-specs';
export type { InjectionFileSystem } from './atomic-file';
export { SecretTemplate } from './secret-template';
export type { SecretReference, TemplateFilter } from './secret-template';
export { writeSecretFiles } from './write-secret-files';
export type { WrittenFile } from './write-secret-files';
