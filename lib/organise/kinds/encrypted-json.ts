import { checkJsonDocument } from './json';
import type { SecretKindSpec } from './kind-spec';

/**
 * `encrypted-json`: a JSON object or array, checked before it is encrypted on the client
 * (what Secrets Manager stores is the Encryption SDK message); it rotates as `json` does.
 */
export const encryptedJsonKind: SecretKindSpec = {
  kind: 'encrypted-json',
  shape: 'JSON text of an object or an array, encrypted on the client',
  check: (value, field) => checkJsonDocument(value, 'encrypted-json', field),
  rotation: {
    days: 90,
    reason: 'A JSON secret bundles service credentials, which rotate quarterly as API keys do.',
  },
};
