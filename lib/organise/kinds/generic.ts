import type { SecretKindSpec } from './kind-spec';

/**
 * `generic`: any text or bytes (a password when generated); Secrets Manager's own limits
 * (non-empty, at most 65,536 bytes) are checked for every kind before this. A password or
 * token rotates quarterly, as API keys do.
 */
export const genericKind: SecretKindSpec = {
  kind: 'generic',
  shape: 'any text or bytes',
  check: () => undefined,
  rotation: { days: 90, reason: 'A password or token rotates quarterly, as API keys do.' },
};
