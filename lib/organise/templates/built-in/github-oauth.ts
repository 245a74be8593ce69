import type { TemplateDefinition } from '../template';

/**
 * A GitHub OAuth app (or a GitHub App's user authorization): the client id is public (20
 * characters: `Ov23li`..., `Iv23li`..., `Iv1.` and 16 hex digits, or 20 hex digits for older
 * apps), the client secret is 40 hex digits, the redirect URI is the app's callback.
 * GitHub issues the id and secret, so neither is generated.
 */
export const githubOauthTemplate: TemplateDefinition = {
  name: 'github-oauth',
  description: 'Sign in with GitHub: OAuth client id, client secret and redirect URI.',
  rotationDays: 180,
  secrets: [
    {
      name: 'github_oauth',
      kind: 'oauth-client',
      description: 'The OAuth app credentials as { client_id, client_secret, redirect_uri }.',
      exposure: 'server',
      rules: {
        fields: {
          client_id: { length: 20, charset: 'dotted-base64url', exposure: 'public' },
          client_secret: { length: 40, charset: 'hex' },
          redirect_uri: { format: 'redirect-uri', exposure: 'public' },
        },
      },
    },
  ],
};
