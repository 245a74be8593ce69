import { join } from 'node:path';
import type { CallOptions } from '../../client/options';
import { SecretsClient } from '../../client/secrets-client';
import { SecretDecodeError, ValidationError, show } from '../../errors';
import { replaceFile } from './atomic-file';
import { planFiles, type FilePlan, type PlannedFile, type WriteSecretFilesOptions } from './file-specs';
import type { SecretReference } from './secret-template';

/** A file written: where, how big, from which secrets. Never its content. */
export interface WrittenFile {
  /** The file's full path. */
  readonly path: string;
  readonly name: string;
  readonly bytes: number;
  readonly secrets: readonly string[];
}

/** One JSON field as text: a string as it is, anything else as JSON. */
function fieldText(json: unknown, secretId: string, field: string): string {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SecretDecodeError(
      `Secret ${JSON.stringify(secretId)} is not a JSON object, so it has no field ${JSON.stringify(field)}: name no field to use the whole value.`,
      { secretId },
    );
  }
  if (!Object.hasOwn(json, field)) {
    throw new SecretDecodeError(
      `Secret ${JSON.stringify(secretId)} has no field ${JSON.stringify(field)}; its fields are ${Object.keys(
        json,
      )
        .map((key) => JSON.stringify(key))
        .join(', ')}.`,
      { secretId },
    );
  }
  const value = (json as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Reads through the client, each secret once per file (a field and the whole value alike). */
function reader(client: SecretsClient, call: CallOptions): (reference: SecretReference) => Promise<string> {
  const texts = new Map<string, Promise<string>>();
  const objects = new Map<string, Promise<unknown>>();
  return async ({ secretId, field }) => {
    if (field === undefined) {
      if (!texts.has(secretId)) texts.set(secretId, client.get(secretId, call));
      return texts.get(secretId)!;
    }
    if (!objects.has(secretId)) objects.set(secretId, client.getJson(secretId, call));
    return fieldText(await objects.get(secretId)!, secretId, field);
  };
}

/** The bytes a file holds now, read through the client (its policy, cache and audit apply). */
export async function renderFile(
  client: SecretsClient,
  file: PlannedFile,
  call: CallOptions,
): Promise<Uint8Array> {
  const { source } = file;
  if (source.kind === 'template')
    return Buffer.from(await source.template.render(reader(client, call)), 'utf8');
  if (source.binary) return client.getBinary(source.reference.secretId, call);
  return Buffer.from(await reader(client, call)(source.reference), 'utf8');
}

/** Replaces one planned file with `data`. */
export async function writePlannedFile(
  plan: FilePlan,
  file: PlannedFile,
  data: Uint8Array,
): Promise<WrittenFile> {
  await replaceFile(plan.fileSystem, plan.directory, file.name, data, file.mode);
  return {
    path: join(plan.directory, file.name),
    name: file.name,
    bytes: data.byteLength,
    secrets: file.secrets,
  };
}

export function checkClient(client: unknown, what: string): SecretsClient {
  if (!(client instanceof SecretsClient)) {
    throw new ValidationError('client', `${what} needs a SecretsClient, got ${show(client)}.`);
  }
  return client;
}

/**
 * Writes secrets to files once: each a secret's whole value, one field of its JSON, or a
 * template (`{{ secret "id" "field" }}`, as `op inject` does). Everything is checked first,
 * then every value is read, and only then are the files written, each replaced atomically
 * (temporary file, fsync, rename, directory fsync) with mode 0600 from its creation, so a
 * reader never sees part of one. A read that fails writes nothing; a write that fails leaves
 * that file as it was and rejects (SERVICE_UNAVAILABLE naming the file). To rewrite the
 * files when secrets rotate, use `FileInjector`.
 * @example
 * await writeSecretFiles(secrets, {
 *   directory: '/run/secrets',
 *   files: [
 *     { path: 'db-password', secret: 'prod/billing/db', field: 'password' },
 *     { path: 'app.env', template: 'STRIPE_KEY={{ secret "prod/billing/stripe" | shell }}\n' },
 *   ],
 * });
 */
export async function writeSecretFiles(
  client: SecretsClient,
  options: WriteSecretFilesOptions,
): Promise<WrittenFile[]> {
  checkClient(client, 'writeSecretFiles');
  const plan = planFiles(options);
  const contents = await Promise.all(plan.files.map((file) => renderFile(client, file, plan.call)));
  const written: WrittenFile[] = [];
  for (const [i, file] of plan.files.entries())
    written.push(await writePlannedFile(plan, file, contents[i]!));
  return written;
}
