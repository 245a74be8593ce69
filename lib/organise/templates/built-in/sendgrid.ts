import type { TemplateDefinition } from '../template';

/**
 * Twilio SendGrid: an API key (`SG.` + 22 + `.` + 43 base64url characters, 69 in all),
 * and optionally the verified sender and a dynamic template id, which are not secret.
 */
export const sendgridTemplate: TemplateDefinition = {
  name: 'sendgrid',
  description: 'SendGrid email: API key, verified sender address and dynamic template id.',
  rotationDays: 90,
  secrets: [
    {
      name: 'sendgrid_api_key',
      kind: 'api-key',
      description: 'API key (SG.) for the v3 Web API and SMTP relay.',
      exposure: 'server',
      rules: { prefix: ['SG.'], length: 69, charset: 'dotted-base64url' },
    },
    {
      name: 'sendgrid_verified_sender',
      kind: 'generic',
      description: 'The verified sender address messages are sent from.',
      exposure: 'public',
      required: false,
      rules: { format: 'email' },
    },
    {
      name: 'sendgrid_template_id',
      kind: 'generic',
      description: 'A dynamic template id (d- and 32 hex digits).',
      exposure: 'public',
      required: false,
      rules: { prefix: ['d-'], length: 34, charset: 'hex' },
    },
  ],
};
