import type * as ZodModule from 'zod';
import { optionalPeer } from '../../core';
import { TEMPLATE_KINDS } from './resolve-template';
import { TemplateError, type TemplateProblem } from './template-error';
import type { TemplateDefinition } from './template';

type Zod = typeof ZodModule;

/** zod, loaded on first use: only a service that loads its own templates needs it installed. */
function loadZod(): Zod {
  return optionalPeer<Zod>('zod', {
    needs: 'Checking a user template (a JSON file or an object)',
    otherwise: 'or use only the built-in templates, which need no zod',
  });
}

const CHARSETS = ['hex', 'digits', 'alphanumeric', 'base64', 'base64url', 'dotted-base64url'] as const;
const FORMATS = ['jwt', 'url', 'https-url', 'redirect-uri', 'email', 'hostname', 'pem-private-key'] as const;

/**
 * The structure of a template definition, strict (a misspelt key is an error, not ignored).
 * Built per call: loading templates is rare, and a schema kept between calls would be
 * module state. The meaning (references, ranges, kinds' rules) is `resolveTemplate`'s.
 */
function templateSchema({ z }: Zod) {
  const text = (max: number) => z.string().min(1).max(max);
  const affixes = z.array(text(64)).min(1).max(16);
  const stringRules = {
    label: text(64).optional(),
    prefix: z
      .union([affixes, z.strictObject({ production: affixes, other: affixes })], {
        error: 'must be a list of prefixes, or { production: [...], other: [...] }',
      })
      .optional(),
    suffix: affixes.optional(),
    length: z
      .union(
        [z.int().min(1), z.strictObject({ min: z.int().min(1).optional(), max: z.int().min(1).optional() })],
        { error: 'must be a positive integer, or { min, max }' },
      )
      .optional(),
    charset: z.enum(CHARSETS).optional(),
    format: z.enum(FORMATS).optional(),
    claims: z.record(text(64), text(256)).optional(),
  };
  const exposure = z.enum(['public', 'server']);
  const field = z.strictObject({
    ...stringRules,
    type: z.enum(['string', 'number', 'boolean']).optional(),
    equals: z
      .union([text(256), z.number(), z.boolean()], { error: 'must be a string, a number or a boolean' })
      .optional(),
    required: z.boolean().optional(),
    exposure: exposure.optional(),
    description: text(512).optional(),
  });
  const rules = z.strictObject({
    ...stringRules,
    fields: z.record(text(128), field).optional(),
    anyOf: z.array(z.strictObject(stringRules)).max(8).optional(),
  });
  const secret = z.strictObject({
    name: text(128),
    kind: z.enum(TEMPLATE_KINDS as [string, ...string[]]),
    description: text(2048),
    exposure: exposure.optional(),
    required: z.boolean().optional(),
    generate: z.boolean().optional(),
    rules: rules.optional(),
    dependsOn: z.array(text(128)).max(40).optional(),
    rotationDays: z.int().optional(),
  });
  return z.strictObject({
    name: text(64),
    description: text(2048),
    rotationDays: z.int().optional(),
    secrets: z.array(secret).min(1).max(40),
  });
}

/** `secrets[1].rules.prefix` from zod's path. */
function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

const NAME = /^[A-Za-z0-9_.+=@-]{1,128}$/;

/** A name from the raw input, only when it reads as a name (anything else may not be one). */
function readableName(value: unknown): string | undefined {
  return typeof value === 'string' && NAME.test(value) ? value : undefined;
}

/**
 * Checks the structure of a user template with zod and returns it typed. zod's messages
 * describe the expected shape and never quote the input; its error is not kept as a cause.
 * @throws ConfigurationError when zod is not installed; TemplateError for a bad structure.
 */
export function parseTemplateDefinition(input: unknown, origin?: string): TemplateDefinition {
  const result = templateSchema(loadZod()).safeParse(input);
  if (result.success) return result.data as TemplateDefinition;
  const raw = (typeof input === 'object' && input !== null ? input : {}) as {
    name?: unknown;
    secrets?: unknown;
  };
  const secrets = Array.isArray(raw.secrets) ? (raw.secrets as Array<{ name?: unknown } | null>) : [];
  const problems = result.error.issues.map((issue): TemplateProblem => {
    const index =
      issue.path[0] === 'secrets' && typeof issue.path[1] === 'number' ? issue.path[1] : undefined;
    return {
      path: pathText(issue.path),
      secret: index === undefined ? undefined : readableName(secrets[index]?.name),
      message: issue.message,
    };
  });
  const name = readableName(raw.name);
  throw new TemplateError(
    name !== undefined && /^[a-z0-9-]+$/.test(name) ? name : undefined,
    problems,
    origin,
  );
}
