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
  /** The region the request was signed for. */
  readonly region: string;
  readonly now: () => number;
  /** Starts the rotation of a version; the endpoint wires this to its handler registry. */
  readonly startRotation: (arn: string, versionId: string, onlyTest: boolean) => void;
}
