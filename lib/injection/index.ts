/**
 * keystage/injection: secrets delivered to workloads (files, the sidecar agent, child
 * processes, ECS and Lambda) and kept fresh by one rotation watcher. Everything runs through
 * a `SecretsClient`, so its access policy, rate limits and audit trail apply.
 */
export {};
