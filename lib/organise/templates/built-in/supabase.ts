import type { TemplateDefinition } from '../template';

/**
 * Supabase: the project URL and anon (publishable) key are public, safe in a browser with
 * Row Level Security on; the service role (secret) key bypasses RLS and stays on servers.
 * Both key generations are accepted: `sb_publishable_` / `sb_secret_` keys, and the legacy
 * JWTs whose `role` claim says `anon` or `service_role`, so a service key put in the anon
 * slot is caught.
 */
export const supabaseTemplate: TemplateDefinition = {
  name: 'supabase',
  description:
    'Supabase project: URL, anon (publishable) key, service role (secret) key and database password.',
  rotationDays: 90,
  secrets: [
    {
      name: 'supabase_url',
      kind: 'generic',
      description: 'Project URL (https://<project-ref>.supabase.co); public.',
      exposure: 'public',
      rules: { format: 'https-url' },
    },
    {
      name: 'supabase_anon_key',
      kind: 'api-key',
      description: 'Anon or publishable key for client-side use; every request it makes is subject to RLS.',
      exposure: 'public',
      rules: {
        anyOf: [
          {
            label: 'publishable key',
            prefix: ['sb_publishable_'],
            charset: 'base64url',
            length: { min: 24, max: 256 },
          },
          { label: 'legacy anon JWT', format: 'jwt', claims: { role: 'anon' } },
        ],
      },
      dependsOn: ['supabase_url'],
    },
    {
      name: 'supabase_service_key',
      kind: 'api-key',
      description: 'Service role or secret key: bypasses Row Level Security, server-side only.',
      exposure: 'server',
      rules: {
        anyOf: [
          {
            label: 'secret key',
            prefix: ['sb_secret_'],
            charset: 'base64url',
            length: { min: 24, max: 256 },
          },
          { label: 'legacy service_role JWT', format: 'jwt', claims: { role: 'service_role' } },
        ],
      },
      dependsOn: ['supabase_url'],
    },
    {
      name: 'supabase_db_password',
      kind: 'generic',
      description: "Password of the project's Postgres database, for direct connections.",
      exposure: 'server',
      required: false,
      rules: { length: { min: 12, max: 1024 } },
      rotationDays: 30,
    },
  ],
};
