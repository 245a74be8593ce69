import type { TemplateDefinition } from '../template';

/**
 * Stripe: a secret (or restricted) key for the server, the publishable key for Stripe.js,
 * and an endpoint's webhook signing secret. Live keys belong in production only, test
 * (sandbox) keys everywhere else. Stripe issues all three, so none is generated.
 */
export const stripeTemplate: TemplateDefinition = {
  name: 'stripe',
  description: 'Stripe payments: secret or restricted API key, publishable key and webhook signing secret.',
  rotationDays: 90,
  secrets: [
    {
      name: 'stripe_secret_key',
      kind: 'api-key',
      description: 'Secret (sk_) or restricted (rk_) API key for server-side calls to the Stripe API.',
      exposure: 'server',
      rules: {
        prefix: { production: ['sk_live_', 'rk_live_'], other: ['sk_test_', 'rk_test_'] },
        charset: 'alphanumeric',
        length: { min: 18, max: 255 },
      },
    },
    {
      name: 'stripe_publishable_key',
      kind: 'api-key',
      description: 'Publishable key (pk_) that identifies the account in Stripe.js and the mobile SDKs.',
      exposure: 'public',
      rules: {
        prefix: { production: ['pk_live_'], other: ['pk_test_'] },
        charset: 'alphanumeric',
        length: { min: 18, max: 255 },
      },
      dependsOn: ['stripe_secret_key'],
    },
    {
      name: 'stripe_webhook_secret',
      kind: 'webhook-secret',
      description:
        "Signing secret (whsec_) of a webhook endpoint, issued by Stripe: verifies each event's Stripe-Signature header.",
      exposure: 'server',
      rules: { prefix: ['whsec_'], charset: 'base64', length: { min: 30, max: 128 } },
      dependsOn: ['stripe_secret_key'],
      rotationDays: 180,
    },
  ],
};
