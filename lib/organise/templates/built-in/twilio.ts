import type { TemplateDefinition } from '../template';

/**
 * Twilio: the Account SID (`AC` + 32 hex digits) and auth token (32 hex digits), and
 * optionally an API key (SID `SK` + 32 hex digits, and its secret), which Twilio
 * recommends for production instead of the auth token.
 */
export const twilioTemplate: TemplateDefinition = {
  name: 'twilio',
  description:
    'Twilio messaging and voice: Account SID, auth token, and optionally an API key and its secret.',
  rotationDays: 90,
  secrets: [
    {
      name: 'twilio_account_sid',
      kind: 'generic',
      description: 'Account SID (AC and 32 hex digits): names the account in every API call.',
      exposure: 'server',
      rules: { prefix: ['AC'], length: 34, charset: 'hex' },
    },
    {
      name: 'twilio_auth_token',
      kind: 'api-key',
      description: "The account's auth token (32 hex digits): signs API requests and webhook signatures.",
      exposure: 'server',
      rules: { length: 32, charset: 'hex' },
      dependsOn: ['twilio_account_sid'],
    },
    {
      name: 'twilio_api_key_sid',
      kind: 'generic',
      description: 'API key SID (SK and 32 hex digits), used with its secret instead of the auth token.',
      exposure: 'server',
      required: false,
      rules: { prefix: ['SK'], length: 34, charset: 'hex' },
      dependsOn: ['twilio_account_sid'],
    },
    {
      name: 'twilio_api_key_secret',
      kind: 'api-key',
      description: 'The API key secret (32 characters), shown once when the key is created.',
      exposure: 'server',
      required: false,
      rules: { length: 32, charset: 'alphanumeric' },
      dependsOn: ['twilio_api_key_sid'],
    },
  ],
};
