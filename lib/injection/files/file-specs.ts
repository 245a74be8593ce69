import * as fs from 'node:fs';
import type { CallOptions } from '../../client/options';
import { checkPrincipal } from '../../client/principal-check';
import { validateBoolean, validateSecretId } from '../../core';
import { ValidationError, show } from '../../errors';
import type { InjectionFileSystem } from './atomic-file';
import { SecretTemplate, type SecretReference } from './secret-template';

/** One file: a secret's whole value, one field of its JSON object, or a rendered template. */
export type SecretFile =
  | {
      /** The file's name in the directory: no path separators. */
      readonly path: string;
      /** The secret whose AWSCURRENT value the file holds. */
      readonly secret: string;
      /** One key of the secret's JSON object (a string as it is, anything else as JSON). @default - the whole value */
      readonly field?: string;
      /** The value is bytes (SecretBinary), written as they are; not with `field`. @default false */
      readonly binary?: boolean;
      /** Permission bits, within 0o660 (never for other users). @default 0o600 */
      readonly mode?: number;
    }
  | {
      readonly path: string;
      /** Text with `{{ secret "id" }}` / `{{ secret "id" "field" | filter }}` actions (see SecretTemplate). */
      readonly template: string;
      readonly mode?: number;
    };

export interface WriteSecretFilesOptions extends CallOptions {
  /** An existing directory the files go in; tmpfs (a memory-backed mount) keeps them off disk. */
  readonly directory: string;
  readonly files: readonly SecretFile[];
  /** @default node:fs */
  readonly fileSystem?: InjectionFileSystem;
}

/** One file, checked: its source parsed. */
export interface PlannedFile {
  readonly name: string;
  readonly mode: number;
  readonly source:
    | { readonly kind: 'value'; readonly reference: SecretReference; readonly binary: boolean }
    | { readonly kind: 'template'; readonly template: SecretTemplate };
  /** The secrets it reads. */
  readonly secrets: readonly string[];
}

export interface FilePlan {
  readonly directory: string;
  readonly files: readonly PlannedFile[];
  readonly fileSystem: InjectionFileSystem;
  readonly call: CallOptions;
}

const FILE_KEYS = new Set(['path', 'secret', 'field', 'binary', 'template', 'mode']);
const OPTION_KEYS = new Set(['directory', 'files', 'fileSystem', 'principal']);
const ALLOWED_MODE = 0o660;

function checkName(value: unknown, field: string): string {
  if (
    typeof value !== 'string' ||
    value === '' ||
    value === '.' ||
    value === '..' ||
    /[/\\\0]/.test(value) ||
    Buffer.byteLength(value) > 255
  ) {
    throw new ValidationError(
      field,
      `${field} must be a file name in the directory (no "/", "\\", not "." or ".."), got ${show(value)}.`,
    );
  }
  return value;
}

function checkMode(value: unknown, field: string): number {
  if (value === undefined) return 0o600;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || (value & ~ALLOWED_MODE) !== 0) {
    throw new ValidationError(
      field,
      `${field} must be permission bits within 0o660 (owner and group read/write, never others, never execute), ` +
        `got ${typeof value === 'number' ? `0o${value.toString(8)}` : show(value)}.`,
    );
  }
  return value;
}

function checkFile(value: unknown, field: string): PlannedFile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, `${field} must be { path, secret, field? } or { path, template }.`);
  }
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!FILE_KEYS.has(key)) {
      throw new ValidationError(
        `${field}.${key}`,
        `${show(key)} is not a file option: use ${[...FILE_KEYS].join(', ')}.`,
      );
    }
  }
  const name = checkName(given.path, `${field}.path`);
  const mode = checkMode(given.mode, `${field}.mode`);
  if ((given.secret === undefined) === (given.template === undefined)) {
    throw new ValidationError(
      field,
      `${field} needs exactly one of secret (a value or a field) and template.`,
    );
  }
  if (given.template !== undefined) {
    for (const key of ['field', 'binary'] as const) {
      if (given[key] !== undefined) {
        throw new ValidationError(`${field}.${key}`, `${field}.${key} goes with secret, not template.`);
      }
    }
    const template = SecretTemplate.parse(given.template, `${field}.template`);
    const secrets = [...new Set(template.references.map((reference) => reference.secretId))];
    return { name, mode, source: { kind: 'template', template }, secrets };
  }
  const secretId = validateSecretId(given.secret, `${field}.secret`);
  const fieldName = given.field;
  if (fieldName !== undefined && (typeof fieldName !== 'string' || fieldName === '')) {
    throw new ValidationError(
      `${field}.field`,
      `${field}.field must be a non-empty JSON key, got ${show(fieldName)}.`,
    );
  }
  const binary = validateBoolean(given.binary, `${field}.binary`, false);
  if (binary && fieldName !== undefined) {
    throw new ValidationError(
      `${field}.binary`,
      `${field}: a binary value has no fields; leave out field or binary.`,
    );
  }
  return {
    name,
    mode,
    source: { kind: 'value', reference: { secretId, field: fieldName }, binary },
    secrets: [secretId],
  };
}

/**
 * Checks the options of `writeSecretFiles` and `FileInjector`: every file, every template
 * (parsed), the directory (it must exist), before any read or write.
 * @throws ValidationError naming the option, e.g. `files[1].template`
 */
export function planFiles(options: unknown, extraKeys: readonly string[] = []): FilePlan {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(
      'options',
      `File injection options must be { directory, files }, got ${show(options)}.`,
    );
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!OPTION_KEYS.has(key) && !extraKeys.includes(key)) {
      throw new ValidationError(key, `${show(key)} is not a file injection option.`);
    }
  }
  const { directory, files, fileSystem, principal } = given;
  if (typeof directory !== 'string' || directory === '' || directory.includes('\0')) {
    throw new ValidationError('directory', `directory must be a path, got ${show(directory)}.`);
  }
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(directory);
  } catch {
    stat = undefined;
  }
  if (stat === undefined || !stat.isDirectory()) {
    throw new ValidationError(
      'directory',
      `directory ${JSON.stringify(directory)} is not an existing directory: create it first.`,
    );
  }
  if (!Array.isArray(files) || files.length === 0) {
    throw new ValidationError(
      'files',
      'files must be a non-empty array of { path, secret } or { path, template }.',
    );
  }
  const planned = files.map((file, i) => checkFile(file, `files[${i}]`));
  const names = new Set<string>();
  planned.forEach((file, i) => {
    if (names.has(file.name)) {
      throw new ValidationError(
        `files[${i}].path`,
        `files[${i}].path ${JSON.stringify(file.name)} is given twice.`,
      );
    }
    names.add(file.name);
  });
  if (fileSystem !== undefined && (typeof fileSystem !== 'object' || fileSystem === null)) {
    throw new ValidationError(
      'fileSystem',
      'fileSystem must be an object with node:fs open, write, fsync, close, rename and unlink.',
    );
  }
  return {
    directory,
    files: planned,
    fileSystem: (fileSystem as InjectionFileSystem | undefined) ?? fs,
    call: principal === undefined ? {} : { principal: checkPrincipal(principal) },
  };
}
