import { SecretTemplate, type SecretReference } from '../../../../lib/injection';

const VALUES: Record<string, string> = {
  'prod/app/db': JSON.stringify({ username: 'app', password: "p'a ss/{{x}}", port: 5432 }),
  'prod/app/stripe': 'sk_live_123',
};

/** Reads from VALUES the way the file writer does: the whole value, or one field of its JSON. */
async function read({ secretId, field }: SecretReference): Promise<string> {
  const value = VALUES[secretId]!;
  if (field === undefined) return value;
  const json = JSON.parse(value) as Record<string, unknown>;
  const got = json[field];
  return typeof got === 'string' ? got : JSON.stringify(got);
}

const render = (source: string) => SecretTemplate.parse(source).render(read);

describe('SecretTemplate', () => {
  describe('render', () => {
    it('puts whole values and JSON fields where the actions are', async () => {
      await expect(
        render(
          'key={{ secret "prod/app/stripe" }}\nuser={{secret "prod/app/db" "username"}} port={{ secret "prod/app/db" "port" }}\n',
        ),
      ).resolves.toBe('key=sk_live_123\nuser=app port=5432\n');
    });

    it('inserts a value once and never reads it as template text', async () => {
      await expect(render('{{ secret "prod/app/db" "password" }}')).resolves.toBe("p'a ss/{{x}}");
    });

    it.each([
      ['json', '"p\'a ss/{{x}}"'],
      ['shell', "'p'\\''a ss/{{x}}'"],
      ['url', "p'a%20ss%2F%7B%7Bx%7D%7D"],
      ['base64', Buffer.from("p'a ss/{{x}}").toString('base64')],
      ['raw', "p'a ss/{{x}}"],
    ])('escapes with the %s filter', async (filter, expected) => {
      await expect(render(`{{ secret "prod/app/db" "password" | ${filter} }}`)).resolves.toBe(expected);
    });

    it('applies filters left to right', async () => {
      await expect(render('{{ secret "prod/app/stripe" | base64 | json }}')).resolves.toBe(
        JSON.stringify(Buffer.from('sk_live_123').toString('base64')),
      );
    });

    it('writes a quoted string as it is, so {{ "{{" }} is a literal {{', async () => {
      await expect(render('a {{ "{{" }} b }} c {{ "say \\"hi\\" \\\\" }}')).resolves.toBe(
        'a {{ b }} c say "hi" \\',
      );
    });

    it('keeps text without actions exactly', async () => {
      const text = 'no actions here: { } }} {x}\n\ttabs\n';
      await expect(render(text)).resolves.toBe(text);
    });
  });

  describe('references', () => {
    it('lists each secret and field read, once', () => {
      const template = SecretTemplate.parse(
        '{{ secret "a" }} {{ secret "b" "k" }} {{ secret "a" }} {{ secret "b" "k" | json }} {{ secret "b" "j" }}',
      );
      expect(template.references).toEqual([
        { secretId: 'a', field: undefined },
        { secretId: 'b', field: 'k' },
        { secretId: 'b', field: 'j' },
      ]);
    });
  });

  describe('parse', () => {
    it.each([
      ['{{ secret }}', 'line 1, column 1: expected a double-quoted string'],
      ['x\ny {{ secret "a" ', 'line 2, column 3: expected }} to end the action'],
      ['{{ env "HOME" }}', 'an action is {{ secret "id" }}'],
      ['{{ secret "a" | eval }}', '"eval" is not a filter: use raw, json, shell, url, base64'],
      ['{{ secret "a" "b" "c" }}', 'expected }} to end the action'],
      ['{{ secret "" }}', 'the secret id is empty'],
      ['{{ secret "a\\n" }}', 'only \\" and \\\\ are escapes'],
      ['{{ secret "a\n" }}', 'a string is not closed on its line'],
      ['{{ secretx "a" }}', 'an action is'],
      ['{{ require("child_process") }}', 'an action is'],
    ])('refuses %j, naming where and why', (source, message) => {
      expect(() => SecretTemplate.parse(source)).toThrow(
        expect.objectContaining({
          code: 'VALIDATION_ERROR',
          field: 'template',
          message: expect.stringContaining(message),
        }),
      );
    });

    it('refuses a template that is not a string', () => {
      expect(() => SecretTemplate.parse(42, 'files[0].template')).toThrow(
        expect.objectContaining({ field: 'files[0].template' }),
      );
    });
  });
});
