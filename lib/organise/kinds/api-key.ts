import { ValidationError } from '../../errors';
import { textOf, type SecretKindSpec } from './kind-spec';

/** One token of visible ASCII: what every API key scheme keystage knows of looks like. */
const TOKEN = /^[\x21-\x7e]{16,}$/;

/**
 * `api-key`: one token of at least 16 visible ASCII characters, no spaces or line breaks (a
 * stray newline from a file would break every Authorization header built from it). Keys of
 * other issuers (`sk_live_…`, `SG.…`) fit as keystage's `prefix_body_checksum` keys do. The
 * product rotates API keys quarterly.
 */
export const apiKeyKind: SecretKindSpec = {
  kind: 'api-key',
  shape: 'one token of 16 or more visible ASCII characters',
  check: (value, field) => {
    if (!TOKEN.test(textOf(value, 'api-key', field))) {
      throw new ValidationError(
        field,
        `An 'api-key' secret is one token of 16 or more visible ASCII characters; ${field} is shorter or has spaces, line breaks or other characters.`,
      );
    }
  },
  rotation: { days: 90, reason: 'API keys rotate quarterly, or sooner when the issuing service requires.' },
};
