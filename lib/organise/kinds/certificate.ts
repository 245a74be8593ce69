import { ValidationError } from '../../errors';
import { parseCertificateSecret } from '../../generate';
import { jsonObjectOf, type SecretKindSpec } from './kind-spec';

const EXPECTED = 'a JSON object { certificate, privateKey, chain?, caarn? } of PEM text';
const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const PRIVATE_KEY_PEM =
  /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]+?-----END (?:[A-Z]+ )?PRIVATE KEY-----/;

/**
 * `certificate`: `{ certificate, privateKey, chain?, caarn? }` (lib/generate's rule), each
 * PEM part armoured as what it claims to be. Only the armour is checked here: parsing the
 * certificate (its chain and expiry) needs the optional X.509 library. keystage issues leaves
 * for 90 days; they renew at two thirds of that, as ACME clients do.
 */
export const certificateKind: SecretKindSpec = {
  kind: 'certificate',
  shape: EXPECTED,
  check: (value, field) => {
    const fields = jsonObjectOf(value, 'certificate', field, EXPECTED);
    parseCertificateSecret(JSON.stringify(fields), field);
    if (!CERTIFICATE_PEM.test(fields.certificate as string)) {
      throw new ValidationError(
        `${field}.certificate`,
        `${field}.certificate is not a PEM certificate (BEGIN CERTIFICATE).`,
      );
    }
    if (!PRIVATE_KEY_PEM.test(fields.privateKey as string)) {
      throw new ValidationError(
        `${field}.privateKey`,
        `${field}.privateKey is not a PEM private key (BEGIN PRIVATE KEY).`,
      );
    }
    const chain = fields.chain as string | undefined;
    if (chain !== undefined && chain.trim() !== '' && !CERTIFICATE_PEM.test(chain)) {
      throw new ValidationError(
        `${field}.chain`,
        `${field}.chain is neither empty nor PEM certificates (BEGIN CERTIFICATE).`,
      );
    }
  },
  rotation: {
    days: 60,
    reason:
      "Certificates renew at two thirds of their validity: 60 days for keystage's 90-day leaves (a CA follows its own, longer validity).",
  },
};
