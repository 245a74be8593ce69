import { checkClientId, checkClientSecret, checkRedirectUri } from '../../generate';
import { jsonObjectOf, type SecretKindSpec } from './kind-spec';

const EXPECTED = 'a JSON object { client_id, client_secret, redirect_uri }';

/**
 * `oauth-client`: `{ client_id, client_secret, redirect_uri }` (other keys kept), each field
 * by lib/generate's OAuth rules: redirect_uri is https, or http to a loopback host. The
 * product rotates OAuth credentials as they expire; a client secret without an expiry
 * rotates semi-annually.
 */
export const oauthClientKind: SecretKindSpec = {
  kind: 'oauth-client',
  shape: EXPECTED,
  check: (value, field) => {
    const fields = jsonObjectOf(value, 'oauth-client', field, EXPECTED);
    checkClientId(fields.client_id, `${field}.client_id`);
    checkClientSecret(fields.client_secret, `${field}.client_secret`);
    checkRedirectUri(fields.redirect_uri, `${field}.redirect_uri`);
  },
  rotation: {
    days: 182,
    reason: 'OAuth client secrets rotate as the provider expires them; without an expiry, semi-annually.',
  },
};
