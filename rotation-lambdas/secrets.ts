import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { RotationFailure } from './errors';

/** What the pre-check needs from DescribeSecret. */
export interface SecretState {
  readonly arn: string;
  readonly rotationEnabled: boolean;
  readonly versions: ReadonlyMap<string, readonly string[]>;
}

const nameOf = (error: unknown): string => (error as { name?: unknown }).name as string;

/**
 * The Secrets Manager calls a rotation makes, with the service's semantics spelled out:
 * an AWSPENDING version without a value reads as ResourceNotFoundException, PutSecretValue
 * with an existing token is idempotent for the same value, and moving AWSCURRENT is a
 * compare-and-swap on the version that holds it.
 */
export class RotationSecrets {
  constructor(private readonly client: SecretsManagerClient) {}

  async describe(secretId: string): Promise<SecretState> {
    const out = await this.call('DescribeSecret', () =>
      this.client.send(new DescribeSecretCommand({ SecretId: secretId })),
    );
    const versions = new Map<string, readonly string[]>(Object.entries(out.VersionIdsToStages ?? {}));
    return { arn: out.ARN ?? secretId, rotationEnabled: out.RotationEnabled === true, versions };
  }

  /** A version's string value, or undefined when it has none (the pending placeholder). */
  async value(
    secretId: string,
    selector: { readonly versionStage: string; readonly versionId?: string },
  ): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new GetSecretValueCommand({
          SecretId: secretId,
          VersionStage: selector.versionStage,
          ...(selector.versionId === undefined ? {} : { VersionId: selector.versionId }),
        }),
      );
      if (out.SecretString === undefined) {
        throw new RotationFailure(
          'INVALID_SECRET',
          `The ${selector.versionStage} version of ${secretId} is binary; keystage rotation functions rotate string secrets.`,
        );
      }
      return out.SecretString;
    } catch (error) {
      if (nameOf(error) === 'ResourceNotFoundException') return undefined;
      throw this.wrap('GetSecretValue', error);
    }
  }

  /** The value of a stage that must exist (AWSCURRENT, a master secret's AWSCURRENT). */
  async required(secretId: string, versionStage: string): Promise<string> {
    const value = await this.value(secretId, { versionStage });
    if (value === undefined) {
      throw new RotationFailure('INVALID_SECRET', `${secretId} has no ${versionStage} value to rotate from.`);
    }
    return value;
  }

  /** Stores the pending value under the rotation's token; a replay with the same value is a no-op. */
  async putPending(secretId: string, token: string, value: string): Promise<void> {
    await this.call('PutSecretValue', () =>
      this.client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: token,
          SecretString: value,
          VersionStages: ['AWSPENDING'],
        }),
      ),
    );
  }

  /** Moves AWSCURRENT from `from` to `to`; fails with STAGE_CONFLICT if `from` no longer holds it. */
  async moveCurrent(secretId: string, to: string, from: string | undefined): Promise<void> {
    try {
      await this.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: to,
          ...(from === undefined ? {} : { RemoveFromVersionId: from }),
        }),
      );
    } catch (error) {
      if (nameOf(error) === 'InvalidParameterException') {
        throw new RotationFailure(
          'STAGE_CONFLICT',
          `AWSCURRENT moved while the rotation was finishing (UpdateSecretVersionStage refused). Labels are unchanged; check who wrote a version and retry the rotation.`,
          { cause: error },
        );
      }
      throw this.wrap('UpdateSecretVersionStage', error);
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw this.wrap(operation, error);
    }
  }

  private wrap(operation: string, error: unknown): Error {
    if (error instanceof RotationFailure) return error;
    const name = nameOf(error) ?? 'Error';
    // AWS error messages name resources and limits, never values.
    const detail = error instanceof Error ? `: ${error.message}` : '';
    return new RotationFailure('SECRETS_MANAGER_ERROR', `${operation} failed with ${name}${detail}`, {
      cause: error,
    });
  }
}
