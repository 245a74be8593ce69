import type { KeyStore } from '../kms/keys';
import type { Transaction } from '../storage/table';
import type { SecretStore } from './store';

/** Something the rotation side of the endpoint records for tests and the demo to read. */
export interface RotationEvent {
  readonly type: 'RotationStarted' | 'RotationSucceeded' | 'RotationFailed';
  readonly secretArn: string;
  readonly versionId: string;
  readonly time: number;
  readonly step?: string;
  readonly message?: string;
}

/** What every Secrets Manager operation needs: the state, the caller's region and time. */
export interface SmContext {
  readonly store: SecretStore;
  /** The endpoint's KMS keys, for the KmsKeyId of a secret. */
  readonly keys: KeyStore;
  /** The operation's changes; committed (and made durable) only if it returns. */
  readonly tx: Transaction;
  /**
   * Changes that are only bookkeeping (access dates): committed without waiting, and a disk
   * that refuses them does not fail the operation.
   */
  readonly access: Transaction;
  /** The region the request was signed for. */
  readonly region: string;
  readonly now: () => number;
  /**
   * Starts the rotation of a version once the operation's changes are durable; the endpoint
   * wires this to its rotation runner.
   */
  readonly startRotation: (arn: string, versionId: string, onlyTest: boolean) => void;
  /**
   * Whether Secrets Manager could invoke the rotation function `lambdaArn`: the endpoint
   * answers whether a function is registered for it. Absent (an in-process model of the
   * service, where the caller plays the function), every function counts as invokable.
   */
  readonly hasRotationFunction?: (lambdaArn: string) => boolean;
  /** Records the RotationFailed of a RotateSecret refused because its function cannot be invoked. */
  readonly rotationRefused?: (secretArn: string, versionId: string, lambdaArn: string) => void;
}
