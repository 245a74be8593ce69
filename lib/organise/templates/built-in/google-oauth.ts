import type { TemplateDefinition } from '../template';

/**
 * A Google OAuth 2.0 web client: the client id ends in `.apps.googleusercontent.com` and
 * is public; the client secret (`GOCSPX-` and 28 characters, 24 characters for older
 * clients) is server-only. Google issues both, so neither is generated.
 */
export const googleOauthTemplate: TemplateDefinition = {
  name: 'google-oauth',
  description: 'Sign in with Google: OAuth 2.0 client id, client secret and redirect URI.',
  rotationDays: 180,
  secrets: [
    {
      name: 'google_oauth',
      kind: 'oauth-client',
      description: 'The OAuth client credentials as { client_id, client_secret, redirect_uri }.',
      exposure: 'server',
      rules: {
        fields: {
          client_id: {
            suffix: ['.apps.googleusercontent.com'],
            length: { min: 40, max: 128 },
            exposure: 'public',
          },
          client_secret: { charset: 'base64url', length: { min: 24, max: 64 } },
          redirect_uri: { format: 'redirect-uri', exposure: 'public' },
        },
      },
    },
  ],
};
