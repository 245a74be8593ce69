import { generateWebhookSecret, WEBHOOK_SECRET_BYTES, WEBHOOK_SECRET_PREFIX } from '../../../lib/generate';
import { checkSecretShape } from '../../../lib/organise/kinds';

describe('generateWebhookSecret', () => {
  it("is 'whsec_' and the standard base64 of 32 bytes", () => {
    const secret = generateWebhookSecret();
    expect(secret.startsWith(WEBHOOK_SECRET_PREFIX)).toBe(true);
    const body = secret.slice(WEBHOOK_SECRET_PREFIX.length);
    expect(body).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(body, 'base64')).toHaveLength(WEBHOOK_SECRET_BYTES);
  });

  it("passes the webhook-secret kind's shape check", () => {
    expect(() => checkSecretShape('webhook-secret', generateWebhookSecret())).not.toThrow();
  });

  it('never repeats, and every bit varies (CSPRNG)', () => {
    const secrets = Array.from({ length: 200 }, generateWebhookSecret);
    expect(new Set(secrets).size).toBe(secrets.length);
    const keys = secrets.map((secret) => Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64'));
    let ones = 0;
    for (const key of keys)
      for (const byte of key) for (let bit = 0; bit < 8; bit++) ones += (byte >> bit) & 1;
    // 200 × 256 bits: a fair source lands within 1% of half (≈ 9 standard deviations).
    expect(ones / (200 * 256)).toBeGreaterThan(0.49);
    expect(ones / (200 * 256)).toBeLessThan(0.51);
  });
});
