import type { TemplateDefinition } from '../template';

/**
 * Firebase: the web configuration (API key `AIza`..., auth domain, project id, storage
 * bucket, sender id, app id) is public by design; the Admin SDK's service account JSON
 * (with its private key) is server-only.
 */
export const firebaseTemplate: TemplateDefinition = {
  name: 'firebase',
  description: 'Firebase project: the public web configuration and the Admin SDK service account.',
  rotationDays: 90,
  secrets: [
    {
      name: 'firebase_api_key',
      kind: 'api-key',
      description: "The web app's API key (AIza and 35 characters); public, restrict it by referrer.",
      exposure: 'public',
      rules: { prefix: ['AIza'], length: 39, charset: 'base64url' },
    },
    {
      name: 'firebase_auth_domain',
      kind: 'generic',
      description: 'Auth domain such as your-project.firebaseapp.com.',
      exposure: 'public',
      rules: { format: 'hostname' },
    },
    {
      name: 'firebase_project_id',
      kind: 'generic',
      description: 'Project id (6 to 30 lower-case letters, digits and hyphens).',
      exposure: 'public',
      rules: { length: { min: 6, max: 30 }, charset: 'base64url' },
    },
    {
      name: 'firebase_storage_bucket',
      kind: 'generic',
      description: 'Cloud Storage bucket such as your-project.appspot.com.',
      exposure: 'public',
      required: false,
      rules: { format: 'hostname' },
    },
    {
      name: 'firebase_messaging_sender_id',
      kind: 'generic',
      description: 'Cloud Messaging sender id (digits).',
      exposure: 'public',
      required: false,
      rules: { charset: 'digits', length: { min: 6, max: 20 } },
    },
    {
      name: 'firebase_app_id',
      kind: 'generic',
      description: 'App id such as 1:1234567890:web:0123456789abcdef.',
      exposure: 'public',
      required: false,
      rules: { prefix: ['1:'], length: { min: 10, max: 128 } },
    },
    {
      name: 'firebase_service_account',
      kind: 'json',
      description: 'Service account key JSON for the Admin SDK; its private key never leaves the server.',
      exposure: 'server',
      rules: {
        fields: {
          type: { equals: 'service_account' },
          project_id: { length: { min: 6, max: 30 }, exposure: 'public' },
          private_key_id: { length: 40, charset: 'hex' },
          private_key: { format: 'pem-private-key' },
          client_email: { format: 'email', suffix: ['.gserviceaccount.com'] },
          client_id: { charset: 'digits', length: { min: 10, max: 32 } },
          token_uri: { format: 'https-url' },
          auth_uri: { format: 'https-url', required: false },
        },
      },
      dependsOn: ['firebase_project_id'],
    },
  ],
};
