import type { SecretsClient } from '../../client/secrets-client';
import { ValidationError } from '../../errors';
import { RotationWatcher } from '../watcher/rotation-watcher';
import type { RotationWatcherOptions } from '../watcher/watcher-options';
import { checkJobRef } from './request';
import { isParameterArn } from './secrets';
import type { InjectionJobRef, WorkloadOptions, WorkloadRefreshResult } from './types';
import { refresh, status } from './workloads';

export interface RefreshOnRotationOptions extends WorkloadOptions {
  /**
   * The process's rotation watcher, so every injector polls each secret once.
   * @default - a RotationWatcher of its own, made with `watcherOptions` and closed by `close()`
   */
  readonly watcher?: RotationWatcher;
  /**
   * Settings of the watcher made when none is given.
   * @default - the RotationWatcher defaults (60 s interval, 10 % jitter)
   */
  readonly watcherOptions?: RotationWatcherOptions;
  /**
   * Told of each refresh made.
   * @default - none
   */
  readonly onRefresh?: (result: WorkloadRefreshResult) => void;
}

/** A workload kept fresh by `refreshOnRotation`. */
export interface WorkloadWatch {
  /** The secrets watched (full ARNs); SSM parameters are not watched (refresh after putting one). */
  readonly secretArns: readonly string[];
  /** Stops watching; closes the watcher if `refreshOnRotation` made it. */
  close(): void;
}

/**
 * Refreshes a workload whenever a secret it references rotates (RELIABILITY 68): an ECS
 * service gets a new deployment, a Lambda function new instances, within one watcher interval
 * of the rotation, or at once when the watcher is handed the rotation's EventBridge event.
 * If a secret already rotated since the last deployment, it refreshes first. Rotations of
 * several secrets close together make one refresh (and at most one more after it). Failures
 * go to the watcher's `onError`. Watching follows the job's references as they are now:
 * after injecting other secrets, close and call again.
 * @example
 * const watcher = new RotationWatcher(secrets, { intervalMs: 60_000 });
 * const watch = await refreshOnRotation(secrets, job, { watcher });
 * export const handler = (event: unknown) => watcher.handleEvent(event); // EventBridge, if routed
 */
export async function refreshOnRotation(
  client: SecretsClient,
  job: InjectionJobRef,
  options: RefreshOnRotationOptions = {},
): Promise<WorkloadWatch> {
  const ref = checkJobRef(job);
  const { watcher: given, watcherOptions, onRefresh, ...workload } = options;
  const current = await status(client, ref, workload);
  if (current.job === undefined) {
    throw new ValidationError(
      'job',
      'the target carries no keystage injection (no keystage:injection tag): inject first.',
    );
  }
  const owned = given === undefined;
  const watcher = given ?? new RotationWatcher(client, watcherOptions);

  let running: Promise<void> | undefined;
  let again = false;
  const refreshSoon = (): Promise<void> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          // Not onRefresh?.(await …): an absent callback would skip the refresh with it.
          const result = await refresh(client, ref, workload);
          onRefresh?.(result);
        } while (again);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  if (current.needsRefresh) await refreshSoon();
  // Secrets Manager rotates secrets and says so; a parameter changes when someone puts it, so
  // SSM references are refreshed by refresh() or by the next rotation of a secret.
  const watched = current.secrets.filter((secret) => !isParameterArn(secret.secretArn));
  const unsubscribes = watched.map((secret) =>
    watcher.watch(secret.secretArn, () => refreshSoon(), {
      ...(secret.currentVersionId === undefined ? {} : { knownVersionId: secret.currentVersionId }),
    }),
  );
  return {
    secretArns: watched.map((s) => s.secretArn),
    close: () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
      if (owned) watcher.close();
    },
  };
}
