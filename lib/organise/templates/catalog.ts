import { readFile } from 'node:fs/promises';
import { ValidationError, show } from '../../errors';
import {
  firebaseTemplate,
  githubOauthTemplate,
  googleOauthTemplate,
  sendgridTemplate,
  stripeTemplate,
  supabaseTemplate,
  twilioTemplate,
} from './built-in';
import { isCheckedTemplate, resolveTemplate } from './resolve-template';
import { parseTemplateDefinition } from './schema';
import type { Template } from './template';

const BUILT_IN_DEFINITIONS = [
  stripeTemplate,
  sendgridTemplate,
  twilioTemplate,
  supabaseTemplate,
  firebaseTemplate,
  githubOauthTemplate,
  googleOauthTemplate,
];

/**
 * Checks a user template (an object, e.g. parsed from JSON) with zod, then its meaning,
 * and returns it frozen, ready for a catalog.
 * @throws TemplateError naming the template, the secret and the field of each problem;
 * ConfigurationError when zod (an optional peer dependency) is not installed.
 * @example
 * const acme = defineTemplate({
 *   name: 'acme',
 *   description: 'Acme API',
 *   secrets: [{ name: 'acme_key', kind: 'api-key', description: 'Acme API key', rules: { prefix: ['ak_'] } }],
 * });
 */
export function defineTemplate(definition: unknown, origin?: string): Template {
  return resolveTemplate(parseTemplateDefinition(definition, origin), 'user', origin);
}

/**
 * The templates of a JSON file: one template object, or an array of them.
 * @throws ValidationError (field `path`) when the file cannot be read or is not JSON (its
 * text is never quoted: a wrong path could name a file of secrets); TemplateError for a bad
 * template.
 * @example
 * const templates = await loadTemplateFile('./templates/acme.json');
 */
export async function loadTemplateFile(path: string): Promise<Template[]> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ValidationError('path', `path must be a file path, got ${show(path)}.`);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ValidationError(
      'path',
      `Template file ${JSON.stringify(path)} could not be read${typeof code === 'string' ? ` (${code})` : ''}.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error; the text is not shown.
    throw new ValidationError('path', `Template file ${JSON.stringify(path)} is not valid JSON.`);
  }
  const origin = `file ${JSON.stringify(path)}`;
  return Array.isArray(parsed)
    ? parsed.map((definition, i) => defineTemplate(definition, `${origin} [${i}]`))
    : [defineTemplate(parsed, origin)];
}

/**
 * The templates `applyTemplate` and `validateService` know by name: keystage's built-ins,
 * plus user templates added with `with` or `withFiles`. Immutable: adding returns a new
 * catalog, so one catalog can be shared by every request of a server.
 * @example
 * const catalog = await TemplateCatalog.builtIn().withFiles(['./templates/acme.json']);
 * await applyTemplate(secrets, 'acme', { environment: 'prod', service: 'billing', catalog });
 */
export class TemplateCatalog {
  // The built-ins are ours, typed and covered by a test: they need no zod at run time.
  static readonly #builtIn = new TemplateCatalog(
    new Map(
      BUILT_IN_DEFINITIONS.map((definition) => {
        const template = resolveTemplate(definition, 'built-in');
        return [template.name, template];
      }),
    ),
  );

  readonly #templates: ReadonlyMap<string, Template>;

  private constructor(templates: ReadonlyMap<string, Template>) {
    this.#templates = templates;
  }

  /**
   * keystage's templates: stripe, sendgrid, twilio, supabase, firebase, github-oauth, google-oauth.
   * @example
   * const stripe = TemplateCatalog.builtIn().get('stripe');
   */
  static builtIn(): TemplateCatalog {
    return TemplateCatalog.#builtIn;
  }

  /**
   * This catalog plus `templates`: checked templates (from `defineTemplate`) as they are,
   * definitions (plain objects) checked with zod first.
   * @throws ValidationError (field `template`) for a name the catalog already has.
   * @example
   * const catalog = TemplateCatalog.builtIn().with(defineTemplate(acme), { name: 'acme-eu', ... });
   */
  with(...templates: readonly unknown[]): TemplateCatalog {
    const next = new Map(this.#templates);
    for (const candidate of templates) {
      const template = isCheckedTemplate(candidate) ? candidate : defineTemplate(candidate);
      const existing = next.get(template.name);
      if (existing !== undefined) {
        throw new ValidationError(
          'template',
          `The catalog already has a ${existing.source} template named ${JSON.stringify(template.name)}: ` +
            'give yours another name.',
        );
      }
      next.set(template.name, template);
    }
    return new TemplateCatalog(next);
  }

  /**
   * This catalog plus the templates of these JSON files (see `loadTemplateFile`).
   * @example
   * const catalog = await TemplateCatalog.builtIn().withFiles(['./templates/acme.json']);
   */
  async withFiles(paths: readonly string[]): Promise<TemplateCatalog> {
    if (!Array.isArray(paths)) throw new ValidationError('paths', 'paths must be an array of file paths.');
    const loaded = await Promise.all(paths.map((path) => loadTemplateFile(path)));
    return this.with(...loaded.flat());
  }

  /**
   * True when the catalog has a template named `name`.
   * @example
   * if (!catalog.has('acme')) catalog = catalog.with(acme);
   */
  has(name: string): boolean {
    return this.#templates.has(name);
  }

  /**
   * The template named `name`.
   * @throws ValidationError (field `template`) naming the templates there are.
   * @example
   * const { secrets } = catalog.get('supabase');
   */
  get(name: string): Template {
    const template = typeof name === 'string' ? this.#templates.get(name) : undefined;
    if (template === undefined) {
      throw new ValidationError(
        'template',
        `No template named ${show(name)}: the catalog has ${[...this.#templates.keys()].join(', ')}. ` +
          'Add your own with TemplateCatalog.with or withFiles.',
      );
    }
    return template;
  }

  /**
   * Every template, built-ins first, then in the order they were added.
   * @example
   * const names = catalog.templates().map((template) => template.name);
   */
  templates(): readonly Template[] {
    return [...this.#templates.values()];
  }
}
