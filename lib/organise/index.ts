/**
 * keystage/organise: service templates, groups of secrets rotated all-or-nothing and their
 * dependencies. Everything runs through a `SecretsClient`, so its access policy, rate
 * limits and audit trail apply to every step.
 */
export {};
