import fc from 'fast-check';
import { checkSecretValue, checkTemplateValue } from '../../../../lib/organise/templates/check-value';
import { TemplateCatalog } from '../../../../lib/organise/templates/catalog';
import type { CheckContext } from '../../../../lib/organise/templates/formats';
import { resolveTemplate } from '../../../../lib/organise/templates/resolve-template';
import type { TemplateSecretDefinition } from '../../../../lib/organise/templates/template';

const staging: CheckContext = { environment: 'staging', production: false, now: Date.UTC(2030, 0, 1) };
const prod: CheckContext = { ...staging, environment: 'prod', production: true };

/** Reasons for `value` under a one-secret template with `secret`'s definition. */
function check(secret: Partial<TemplateSecretDefinition>, value: unknown, context = staging): string[] {
  const template = resolveTemplate(
    {
      name: 'unit',
      description: 'unit',
      secrets: [{ name: 'value', kind: 'generic', description: 'value', ...secret }],
    },
    'user',
  );
  return checkSecretValue(
    template.secrets[0]!,
    typeof value === 'string' ? value : JSON.stringify(value),
    context,
  );
}

describe('checkSecretValue', () => {
  it('checks prefix, suffix, length and characters together, the characters between prefix and suffix', () => {
    const rules = {
      prefix: ['key_'],
      suffix: ['.v1'],
      length: { min: 12, max: 20 },
      charset: 'hex' as const,
    };
    expect(check({ rules }, 'key_0a1b2c.v1')).toEqual([]);
    expect(check({ rules }, 'key_0a1b2g.v1')).toEqual([
      'has, besides its prefix and suffix, characters outside hex',
    ]);
    expect(check({ rules }, 'kex_0a1b2c.v2')).toEqual([
      'does not start with "key_"',
      'does not end with ".v1"',
    ]);
    expect(check({ rules }, `key_${'0'.repeat(20)}.v1`)).toEqual([
      'is 27 characters long; expected at most 20',
    ]);
    expect(check({ rules: { length: 4 } }, 'abcde')).toEqual(['is 5 characters long; expected 4']);
  });

  it('takes the prefixes of the environment: production, or any other', () => {
    const rules = { prefix: { production: ['live_'], other: ['test_'] } };
    expect(check({ rules }, 'live_x', prod)).toEqual([]);
    expect(check({ rules }, 'test_x', staging)).toEqual([]);
    expect(check({ rules }, 'other_x', prod)).toEqual(['does not start with "live_"']);
  });

  it('refuses an empty value and surrounding whitespace', () => {
    expect(check({}, '')).toEqual(['is empty']);
    expect(check({}, ' x')).toEqual(['has leading or trailing whitespace (a paste error?)']);
  });

  it.each([
    ['url', 'ftp://example.com', ['is not an http or https URL']],
    ['url', 'https://user:pw@example.com', ['is a URL that carries credentials']],
    ['url', 'example.com', ['is not a URL']],
    ['redirect-uri', 'https://app.example.com/cb#top', ['is a redirect URI with a fragment']],
    [
      'redirect-uri',
      'http://app.example.com/cb',
      ['is not an https redirect URI (plain http only to localhost, 127.0.0.1 or [::1])'],
    ],
    ['redirect-uri', 'http://127.0.0.1:8080/cb', []],
    ['email', 'a@b@example.com', ['is not an email address']],
    ['email', 'billing@example.com', []],
    ['hostname', 'localhost', ['is not a host name such as project.firebaseapp.com']],
    ['hostname', '-bad.example.com', ['is not a host name such as project.firebaseapp.com']],
    ['jwt', 'a.b', ['is not a JWT (three base64url parts separated by dots)']],
    ['jwt', 'a.b.c', ['is not a JWT: its header or payload is not base64url JSON']],
  ] as const)('format %s: %s', (format, value, expected) => {
    expect(check({ rules: { format } }, value)).toEqual(expected);
  });

  it('names the forms of anyOf that failed, by label or position', () => {
    const rules = { anyOf: [{ prefix: ['a_'] }, { label: 'b key', prefix: ['b_'] }] };
    expect(check({ rules }, 'b_1')).toEqual([]);
    expect(check({ rules }, 'c_1')).toEqual([
      'matches none of its forms: form 1 (does not start with "a_"); b key (does not start with "b_")',
    ]);
  });

  it('checks JSON fields: presence, type, fixed values and string rules; optional fields may be absent', () => {
    const rules = {
      fields: {
        port: { type: 'number' as const },
        tls: { type: 'boolean' as const, equals: true },
        host: { format: 'hostname' as const },
        note: { required: false, length: { max: 3 } },
      },
    };
    expect(check({ kind: 'json', rules }, { port: 5432, tls: true, host: 'db.example.com' })).toEqual([]);
    expect(check({ kind: 'json', rules }, { port: '5432', tls: false, note: 'long' })).toEqual([
      'field "port" is not a number',
      'field "tls" is not true',
      'field "host" is missing',
      'field "note" is 4 characters long; expected at most 3',
    ]);
    expect(check({ kind: 'json', rules }, 'not json')).toEqual(['is not a JSON object']);
  });

  it('never quotes the value or any part of it in a reason', () => {
    const catalog = TemplateCatalog.builtIn();
    const secrets = catalog
      .templates()
      .flatMap((template) => template.secrets.map((secret) => ({ template, secret })));
    fc.assert(
      fc.property(
        fc.constantFrom(...secrets),
        fc.string({ minLength: 6, maxLength: 60 }),
        fc.constantFrom('', 'sk_live_', 'pk_test_', 'whsec_', 'SG.', 'AC', 'sb_secret_', 'AIza', 'https://'),
        fc.boolean(),
        ({ template, secret }, body, prefix, production) => {
          const marked = `${prefix}Zq${body}`;
          for (const value of [
            marked,
            JSON.stringify({ client_id: marked, client_secret: marked, private_key: marked }),
          ]) {
            const reasons = checkTemplateValue(template, secret, value, production ? prod : staging).join(
              '\n',
            );
            expect(reasons).not.toContain(`Zq${body}`);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
