import { randomBytes } from 'node:crypto';

/** What every webhook signing secret starts with (Stripe's and the Standard Webhooks format). */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Random bytes in a generated webhook secret: 256 bits, as HMAC-SHA-256 signing wants. */
export const WEBHOOK_SECRET_BYTES = 32;

/**
 * A new webhook signing secret: `whsec_` and the standard base64 of 32 random bytes, the
 * Standard Webhooks form (Svix) that Stripe's `whsec_` secrets also follow. The signer and
 * the verifier share it; HMAC-SHA-256 over the payload signs each delivery.
 * @example
 * const secret = generateWebhookSecret(); // 'whsec_' + 44 base64 characters
 * await secrets.put('prod/billing/stripe_webhook', secret);
 */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(WEBHOOK_SECRET_BYTES).toString('base64');
}
