import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  TemplateCatalog,
  defineTemplate,
  loadTemplateFile,
} from '../../../../lib/organise/templates/catalog';
import { TemplateError } from '../../../../lib/organise/templates/template-error';
import { ConfigurationError, ValidationError } from '../../../../lib/errors';
import { stripeKey } from './samples';

const acme = {
  name: 'acme',
  description: 'Acme API',
  secrets: [
    {
      name: 'acme_key',
      kind: 'api-key',
      description: 'Acme API key',
      rules: { prefix: { production: ['ak_live_'], other: ['ak_test_'] }, length: { min: 24 } },
    },
    {
      name: 'acme_webhook',
      kind: 'webhook-secret',
      description: 'Signs our webhook deliveries to Acme',
      generate: true,
      dependsOn: ['acme_key'],
      rotationDays: 180,
    },
  ],
};

/** The error `fn` throws (fails the test if it does not). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

function templateError(definition: unknown): TemplateError {
  const error = thrown(() => defineTemplate(definition));
  expect(error).toBeInstanceOf(TemplateError);
  return error as TemplateError;
}

const withSecret = (changes: object) => ({
  ...acme,
  secrets: [{ ...acme.secrets[0], ...changes }, acme.secrets[1]],
});

describe('defineTemplate', () => {
  it('checks a definition and fills in the defaults', () => {
    const template = defineTemplate(acme);
    expect(template).toMatchObject({ name: 'acme', rotationDays: 90, source: 'user' });
    expect(template.secrets[0]).toMatchObject({
      exposure: 'server',
      required: true,
      generate: false,
      dependsOn: [],
    });
    expect(template.secrets[1]).toMatchObject({ generate: true, rotationDays: 180, dependsOn: ['acme_key'] });
    expect(Object.isFrozen(template.secrets[1])).toBe(true);
  });

  it("does not freeze or keep the caller's object", () => {
    const definition = structuredClone(acme);
    defineTemplate(definition);
    expect(Object.isFrozen(definition.secrets[0])).toBe(false);
  });

  it('names the template, the secret and the field of a structural problem (zod)', () => {
    const error = templateError(withSecret({ rules: { prefix: ['ak_'], lenght: 3 } }));
    expect(error).toMatchObject({
      code: 'VALIDATION_ERROR',
      template: 'acme',
      secret: 'acme_key',
      field: 'secrets[0].rules',
    });
    expect(error.message).toMatch(
      /^template "acme" is not valid: secret "acme_key": secrets\[0\]\.rules: .*lenght/,
    );
    expect(error.problems).toHaveLength(1);
  });

  it('lists every problem, each with its path', () => {
    const error = templateError({ name: 'acme', description: '', secrets: [{ name: 'k', kind: 'nope' }] });
    expect(error.problems.map((problem) => problem.path)).toEqual(
      expect.arrayContaining(['description', 'secrets[0].kind', 'secrets[0].description']),
    );
    expect(error.problems.find((p) => p.path === 'secrets[0].kind')?.secret).toBe('k');
  });

  it.each([
    [
      'an unknown dependency',
      withSecret({ dependsOn: ['nope'] }),
      'secrets[0].dependsOn[0]',
      'names no secret of this template',
    ],
    [
      'a generated provider key',
      withSecret({ generate: true }),
      'secrets[0].generate',
      "a 'api-key' value must be given",
    ],
    [
      'a min above the max',
      withSecret({ rules: { length: { min: 9, max: 3 } } }),
      'secrets[0].rules.length',
      'min is greater than max',
    ],
    [
      'claims without jwt',
      withSecret({ rules: { claims: { role: 'anon' } } }),
      'secrets[0].rules.claims',
      "needs format 'jwt'",
    ],
    [
      'fields on a string kind',
      withSecret({ rules: { fields: { a: {} } } }),
      'secrets[0].rules.fields',
      'fields are for JSON kinds',
    ],
    [
      'a prefix in both lists',
      withSecret({ rules: { prefix: { production: ['a_'], other: ['a_'] } } }),
      'secrets[0].rules.prefix',
      'both a production and a non-production prefix',
    ],
    ['a template name with capitals', { ...acme, name: 'Acme' }, 'name', 'a-z 0-9'],
  ])('refuses %s', (_, definition, path, message) => {
    const error = templateError(definition);
    expect(error.problems).toContainEqual(
      expect.objectContaining({ path, message: expect.stringContaining(message) }),
    );
  });

  it('refuses a dependency cycle and a name used twice', () => {
    const cycle = templateError({
      ...acme,
      secrets: [
        { ...acme.secrets[0], dependsOn: ['acme_webhook'] },
        { ...acme.secrets[1], dependsOn: ['acme_key'] },
      ],
    });
    expect(cycle.message).toContain('dependsOn has a cycle: acme_key -> acme_webhook -> acme_key');
    const twice = templateError({ ...acme, secrets: [acme.secrets[0], acme.secrets[0]] });
    expect(twice.problems).toContainEqual(
      expect.objectContaining({ path: 'secrets[1].name', message: 'is used twice' }),
    );
  });

  it('refuses a public secret with a server-only field', () => {
    const error = templateError({
      name: 'own-oauth',
      description: 'Our OAuth server',
      secrets: [
        {
          name: 'client',
          kind: 'oauth-client',
          description: 'A client',
          exposure: 'public',
          rules: { fields: { client_secret: { exposure: 'server' } } },
        },
      ],
    });
    expect(error.problems[0]).toMatchObject({
      path: 'secrets[0].rules.fields.client_secret.exposure',
      secret: 'client',
    });
  });

  it('never shows a value from a file of secrets loaded as a template by mistake', () => {
    const planted = stripeKey('sk', 'live');
    const error = thrown(() =>
      defineTemplate({ stripe_secret_key: planted, name: planted, secrets: [planted] }),
    );
    const shown = [
      error.message,
      JSON.stringify(error),
      inspect(error, { depth: 5 }),
      String(error.cause),
    ].join('\n');
    expect(error).toBeInstanceOf(TemplateError);
    expect(shown).not.toContain(planted);
    expect(shown).not.toContain(planted.slice(8));
    expect((error as TemplateError).template).toBeUndefined();
  });
});

describe('loadTemplateFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keystage-templates-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('loads one template or an array of them', async () => {
    const one = await loadTemplateFile(file('one.json', JSON.stringify(acme)));
    const two = await loadTemplateFile(
      file('two.json', JSON.stringify([acme, { ...acme, name: 'acme-eu' }])),
    );
    expect(one.map((t) => t.name)).toEqual(['acme']);
    expect(two.map((t) => t.name)).toEqual(['acme', 'acme-eu']);
  });

  it('names the file and the entry of a bad template', async () => {
    const path = file('bad.json', JSON.stringify([acme, { ...acme, name: 'acme-eu', rotationDays: 0 }]));
    const error = (await loadTemplateFile(path).catch((e: unknown) => e)) as TemplateError;
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).message).toMatch(
      new RegExp(
        `^file ".*bad\\.json" \\[1\\], template "acme-eu" is not valid: rotationDays: must be an integer`,
      ),
    );
  });

  it('refuses text that is not JSON without quoting it (it may be a file of secrets)', async () => {
    const planted = stripeKey('sk', 'live');
    const error = (await loadTemplateFile(file('env', `STRIPE_SECRET_KEY=${planted}\n`)).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'path', message: expect.stringContaining('is not valid JSON') });
    expect([error.message, inspect(error, { depth: 5 })].join()).not.toContain(planted);
    expect(error.cause).toBeUndefined();
  });

  it('says when the file cannot be read', async () => {
    await expect(loadTemplateFile(join(dir, 'missing.json'))).rejects.toMatchObject({
      field: 'path',
      message: expect.stringContaining('could not be read (ENOENT)'),
    });
  });
});

describe('TemplateCatalog', () => {
  it('adds user templates to a new catalog and leaves the built-in one as it was', () => {
    const catalog = TemplateCatalog.builtIn().with(acme);
    expect(catalog.get('acme').source).toBe('user');
    expect(TemplateCatalog.builtIn().has('acme')).toBe(false);
    expect(catalog.templates().at(-1)?.name).toBe('acme');
  });

  it('takes checked templates as they are', () => {
    const template = defineTemplate(acme);
    expect(TemplateCatalog.builtIn().with(template).get('acme')).toBe(template);
  });

  it('refuses a second template of the same name', () => {
    expect(() => TemplateCatalog.builtIn().with({ ...acme, name: 'stripe' })).toThrow(
      /already has a built-in template named "stripe"/,
    );
  });

  it('names the templates it has when asked for one it has not', () => {
    expect(() => TemplateCatalog.builtIn().get('strpe')).toThrow(
      expect.objectContaining({
        field: 'template',
        message: expect.stringContaining(
          'the catalog has stripe, sendgrid, twilio, supabase, firebase, github-oauth, google-oauth',
        ),
      }),
    );
  });
});

describe('without zod installed', () => {
  function withoutZod<T>(
    fn: (modules: { catalog: typeof import('../../../../lib/organise/templates/catalog') }) => T,
  ): T {
    let result: T | undefined;
    jest.isolateModules(() => {
      jest.doMock('zod', () => {
        throw Object.assign(new Error("Cannot find module 'zod' from 'lib/organise/templates/schema.ts'"), {
          code: 'MODULE_NOT_FOUND',
        });
      });
      // A fresh module registry (isolateModules) is only reachable through require().
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      result = fn({ catalog: require('../../../../lib/organise/templates/catalog') });
    });
    jest.dontMock('zod');
    return result!;
  }

  it('still serves the built-in templates', () => {
    const names = withoutZod(({ catalog }) =>
      catalog.TemplateCatalog.builtIn()
        .templates()
        .map((t) => t.name),
    );
    expect(names).toContain('supabase');
  });

  it('says a user template needs zod and how to get it', () => {
    const error = withoutZod(({ catalog }) => thrown(() => catalog.defineTemplate(acme)));
    expect(error).toMatchObject({ code: 'CONFIGURATION_ERROR', variable: 'zod' });
    expect(error.constructor.name).toBe(ConfigurationError.name);
    expect(error.message).toBe(
      'Checking a user template (a JSON file or an object) needs zod, which is not installed: npm install zod ' +
        '(an optional peer dependency of keystage), or use only the built-in templates, which need no zod.',
    );
  });
});
