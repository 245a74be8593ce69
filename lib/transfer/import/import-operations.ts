import {
  CreateSecretCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { KEYSTAGE_TAGS } from '../../core';
import { recordToTags } from '../../client/metadata';
import type { Operation } from '../../client/operation';

/**
 * The writes an import makes, as operations of the client's pipeline under the names of the
 * client methods they resemble (`create`, `put`, `rollback`), so the access policy and the
 * audit trail see them as those. Their input is built by the import from a validated plan,
 * never by a caller, so `validate` passes it through.
 */

/** One version to store, with the token that makes its write idempotent. */
export interface VersionWrite {
  readonly secretId: string;
  readonly value: string | Uint8Array;
  /** Becomes the VersionId; the same token and value again is a no-op. */
  readonly token: string;
  readonly stages: readonly string[];
}

/** A new secret with its first version. */
export interface SecretCreation extends VersionWrite {
  readonly tags: Readonly<Record<string, string>>;
  readonly description: string | null;
  readonly kmsKeyId: string | undefined;
}

function valueField(value: string | Uint8Array): { SecretString: string } | { SecretBinary: Uint8Array } {
  return typeof value === 'string' ? { SecretString: value } : { SecretBinary: value };
}

/** `create` for imports: CreateSecret with the first version's token, tags and description at once. */
export const createImported: Operation<[creation: SecretCreation], SecretCreation, { readonly arn: string }> =
  {
    name: 'create',
    kind: 'create',
    validate: (creation) => creation,
    secretId: (creation) => creation.secretId,
    call: async (creation, context) => {
      const output = await context.send('CreateSecret', creation.secretId, (sm) =>
        sm.send(
          new CreateSecretCommand({
            Name: creation.secretId,
            ...valueField(creation.value),
            ClientRequestToken: creation.token,
            Tags: recordToTags(creation.tags),
            ...(creation.description === null ? {} : { Description: creation.description }),
            ...(creation.kmsKeyId === undefined ? {} : { KmsKeyId: creation.kmsKeyId }),
          }),
        ),
      );
      return { arn: output.ARN ?? '' };
    },
    audit: {
      action: 'create',
      describe: (creation) => ({
        ...(creation.tags[KEYSTAGE_TAGS.environment] === undefined
          ? {}
          : { environment: creation.tags[KEYSTAGE_TAGS.environment] }),
        details: { versionId: creation.token, source: 'import' },
      }),
    },
  };

/** `put` for imports: PutSecretValue with the version's token and labels; answers the labels the version has. */
export const putImported: Operation<[write: VersionWrite], VersionWrite, readonly string[]> = {
  name: 'put',
  kind: 'update',
  validate: (write) => write,
  secretId: (write) => write.secretId,
  call: async (write, context) => {
    const output = await context.send('PutSecretValue', write.secretId, (sm) =>
      sm.send(
        new PutSecretValueCommand({
          SecretId: write.secretId,
          ...valueField(write.value),
          ClientRequestToken: write.token,
          VersionStages: [...write.stages],
        }),
      ),
    );
    return output.VersionStages ?? [];
  },
  audit: {
    action: 'put',
    describe: (write) => ({
      details: { versionId: write.token, stages: [...write.stages], source: 'import' },
    }),
  },
};

/** A label to move onto a version an earlier import stored. */
export interface LabelMove {
  readonly secretId: string;
  readonly stage: string;
  readonly toVersionId: string;
  /** The version holding the label now, if one does (the compare-and-swap). */
  readonly fromVersionId: string | undefined;
}

/** `rollback` for imports: UpdateSecretVersionStage, the label taken from the version that holds it. */
export const moveImportedLabel: Operation<[move: LabelMove], LabelMove, void> = {
  name: 'rollback',
  kind: 'update',
  validate: (move) => move,
  secretId: (move) => move.secretId,
  call: async (move, context) => {
    await context.send('UpdateSecretVersionStage', move.secretId, (sm) =>
      sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: move.secretId,
          VersionStage: move.stage,
          MoveToVersionId: move.toVersionId,
          ...(move.fromVersionId === undefined ? {} : { RemoveFromVersionId: move.fromVersionId }),
        }),
      ),
    );
  },
  audit: {
    action: 'rollback',
    describe: (move) => ({
      details: { stage: move.stage, toVersionId: move.toVersionId, source: 'import' },
    }),
  },
};
