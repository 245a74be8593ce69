import { ValidationError } from '../../errors';
import { WEBHOOK_SECRET_PREFIX } from '../../generate';
import { decodeBase64, textOf, type SecretKindSpec } from './kind-spec';

/** The Standard Webhooks bounds on the key: at least 192 bits, at most 512. */
const MIN_BYTES = 24;
const MAX_BYTES = 64;

/**
 * `webhook-secret`: `whsec_` and the standard base64 of the signing key. keystage generates
 * 32 bytes; a secret issued by a provider is accepted from 24 to 64 bytes, the Standard
 * Webhooks bounds (Svix issues 24, Stripe's `whsec_` secrets decode to 24 or more). The
 * product rotates webhook secrets semi-annually.
 */
export const webhookSecretKind: SecretKindSpec = {
  kind: 'webhook-secret',
  shape: `'${WEBHOOK_SECRET_PREFIX}' and the base64 of a ${MIN_BYTES} to ${MAX_BYTES}-byte key`,
  check: (value, field) => {
    const text = textOf(value, 'webhook-secret', field);
    const key = text.startsWith(WEBHOOK_SECRET_PREFIX)
      ? decodeBase64(text.slice(WEBHOOK_SECRET_PREFIX.length))
      : undefined;
    if (key === undefined || key.byteLength < MIN_BYTES || key.byteLength > MAX_BYTES) {
      throw new ValidationError(
        field,
        `A 'webhook-secret' is '${WEBHOOK_SECRET_PREFIX}' followed by the standard base64 of a ${MIN_BYTES} to ${MAX_BYTES}-byte key; ${field} is not. Leave the value out to generate one.`,
      );
    }
  },
  rotation: { days: 182, reason: 'Webhook secrets rotate semi-annually.' },
};
