/**
 * Timeouts of the AWS SDK clients keystage creates itself (Secrets Manager, KMS, the CloudWatch
 * Logs audit sink): one rule, so every default client ends a hung call the same way.
 */

/**
 * Timeouts of the SDK clients keystage creates. They bound one attempt; the SDK retries a
 * timed-out attempt (3 attempts in all by default, `maxAttempts` in the client
 * configuration), so a call that keeps timing out ends after about
 * `maxAttempts × (connectMs + requestMs)` plus the retry backoff.
 */
export interface ClientTimeouts {
  /**
   * How long opening a connection (TCP and TLS) may take. A regional endpoint answers in
   * milliseconds; the default leaves room for one lost SYN (retransmitted after 1 s).
   * @default 3000
   */
  readonly connectMs?: number;
  /**
   * How long one attempt may take from sending the request to the end of the answer, and
   * how long its connection may sit idle. Secrets Manager and KMS answer in tens of
   * milliseconds, so this only ends attempts against a service or network that has stopped
   * answering. Without it the SDK waits up to 5 minutes (or, in older versions, forever).
   * @default 5000
   */
  readonly requestMs?: number;
}

/** The timeouts keystage's own clients use unless told otherwise. */
export const DEFAULT_TIMEOUTS: Readonly<Required<ClientTimeouts>> = Object.freeze({
  connectMs: 3_000,
  requestMs: 5_000,
});

/**
 * The request handler settings for `timeouts`, in the configuration's object form (SDK
 * 3.521+), so keystage needs no `@smithy/node-http-handler` dependency of its own.
 *
 * Both meanings `requestTimeout` has had are covered: until `@smithy/node-http-handler`
 * 4.4 it was a socket idle timeout that failed the attempt; since then it is a deadline for
 * the whole attempt that only logs a warning unless `throwOnRequestTimeout` is set, and
 * the idle timeout is `socketTimeout` (which would otherwise default to 5 minutes for
 * Secrets Manager). Versions that do not know a setting ignore it.
 */
export function timeoutHandler(timeouts: Required<ClientTimeouts>): Record<string, number | boolean> {
  return {
    connectionTimeout: timeouts.connectMs,
    requestTimeout: timeouts.requestMs,
    socketTimeout: timeouts.requestMs,
    throwOnRequestTimeout: true,
  };
}
