import { ValidationError, show } from '../../errors';

/**
 * How a value is written where a template places it. `raw` as it is; `json` as a JSON string
 * literal, quotes included (also a valid YAML scalar); `shell` single-quoted for a POSIX
 * shell (`'` as `'\''`); `url` percent-encoded as a URI component; `base64` its UTF-8 bytes
 * in base64. Filters apply left to right: `{{ secret "id" "key" | base64 | json }}`.
 */
export type TemplateFilter = 'raw' | 'json' | 'shell' | 'url' | 'base64';

const FILTERS: Readonly<Record<TemplateFilter, (value: string) => string>> = {
  raw: (value) => value,
  json: (value) => JSON.stringify(value),
  shell: (value) => `'${value.replaceAll("'", "'\\''")}'`,
  url: (value) => encodeURIComponent(value),
  base64: (value) => Buffer.from(value, 'utf8').toString('base64'),
};

/** Where a template reads a value: the whole secret, or one field of its JSON object. */
export interface SecretReference {
  readonly secretId: string;
  readonly field: string | undefined;
}

type Part =
  | { readonly kind: 'text'; readonly text: string }
  | ({ readonly kind: 'secret'; readonly filters: readonly TemplateFilter[] } & SecretReference);

/**
 * A parsed template: text with `{{ secret "id" }}` and `{{ secret "id" "field" }}` actions,
 * like `op inject`. The grammar is the whole language: an action is `secret`, one or two
 * double-quoted strings (`\"` and `\\` escape) and optional `| filter`s, or a lone string
 * (`{{ "{{" }}` writes a literal `{{`). Nothing else runs, and a value is inserted once,
 * never read as template text, so a value holding `{{` stays as it is.
 * @example
 * const template = SecretTemplate.parse('DATABASE_URL=postgres://app:{{ secret "prod/app/db" "password" | url }}@db/app\n');
 */
export class SecretTemplate {
  private constructor(private readonly parts: readonly Part[]) {}

  /**
   * Checks and parses `source`; errors name the line and column and what was expected.
   * @throws ValidationError (field: `field`)
   * @example
   * SecretTemplate.parse('{{ secret "prod/app/db" "password" | json }}', 'files[0].template');
   */
  static parse(source: unknown, field = 'template'): SecretTemplate {
    if (typeof source !== 'string') {
      throw new ValidationError(field, `${field} must be a string, got ${show(source)}.`);
    }
    return new SecretTemplate(new Scanner(source, field).parts());
  }

  /**
   * The secrets (and fields) the template reads, each once, in order.
   * @example
   * SecretTemplate.parse('{{ secret "a" "k" }}{{ secret "b" }}').references; // [{ secretId: 'a', field: 'k' }, { secretId: 'b', field: undefined }]
   */
  get references(): readonly SecretReference[] {
    const seen = new Map<string, SecretReference>();
    for (const part of this.parts) {
      if (part.kind !== 'secret') continue;
      const key = `${part.secretId}\u0000${part.field ?? ''}`;
      if (!seen.has(key)) seen.set(key, { secretId: part.secretId, field: part.field });
    }
    return [...seen.values()];
  }

  /**
   * The text with every action replaced by its value, as `read` answers for each reference.
   * @example
   * const text = await template.render(async ({ secretId }) => secrets.get(secretId));
   */
  async render(read: (reference: SecretReference) => Promise<string>): Promise<string> {
    const values = await Promise.all(
      this.parts.map((part) => (part.kind === 'text' ? part.text : read(part))),
    );
    return this.parts
      .map((part, i) => {
        if (part.kind === 'text') return part.text;
        return part.filters.reduce((value, filter) => FILTERS[filter](value), values[i]!);
      })
      .join('');
  }
}

/** A one-pass scanner over the template's text. */
class Scanner {
  #at = 0;

  constructor(
    private readonly source: string,
    private readonly field: string,
  ) {}

  parts(): Part[] {
    const parts: Part[] = [];
    let text = '';
    while (this.#at < this.source.length) {
      const open = this.source.indexOf('{{', this.#at);
      if (open < 0) {
        text += this.source.slice(this.#at);
        break;
      }
      text += this.source.slice(this.#at, open);
      this.#at = open + 2;
      const action = this.#action(open);
      if (action.kind === 'text') text += action.text;
      else {
        if (text !== '') parts.push({ kind: 'text', text });
        text = '';
        parts.push(action);
      }
    }
    if (text !== '') parts.push({ kind: 'text', text });
    return parts;
  }

  #action(start: number): Part {
    this.#spaces();
    if (this.source[this.#at] === '"') {
      const literal = this.#string(start);
      this.#close(start);
      return { kind: 'text', text: literal };
    }
    if (!this.source.startsWith('secret', this.#at) || !/[ \t]/.test(this.source[this.#at + 6] ?? '')) {
      this.#fail(start, 'an action is {{ secret "id" }}, {{ secret "id" "field" }} or a quoted string');
    }
    this.#at += 6;
    this.#spaces();
    const secretId = this.#string(start);
    if (secretId === '') this.#fail(start, 'the secret id is empty');
    this.#spaces();
    const field = this.source[this.#at] === '"' ? this.#string(start) : undefined;
    const filters: TemplateFilter[] = [];
    this.#spaces();
    while (this.source[this.#at] === '|') {
      this.#at++;
      this.#spaces();
      const name = /^[a-z0-9]+/.exec(this.source.slice(this.#at))?.[0] ?? '';
      if (!Object.hasOwn(FILTERS, name)) {
        this.#fail(start, `${show(name)} is not a filter: use ${Object.keys(FILTERS).join(', ')}`);
      }
      filters.push(name as TemplateFilter);
      this.#at += name.length;
      this.#spaces();
    }
    this.#close(start);
    return { kind: 'secret', secretId, field, filters };
  }

  #string(start: number): string {
    if (this.source[this.#at] !== '"') this.#fail(start, 'expected a double-quoted string');
    let value = '';
    for (let i = this.#at + 1; i < this.source.length; i++) {
      const ch = this.source[i]!;
      if (ch === '"') {
        this.#at = i + 1;
        return value;
      }
      if (ch === '\n') break;
      if (ch === '\\') {
        const next = this.source[i + 1];
        if (next !== '"' && next !== '\\') this.#fail(start, 'only \\" and \\\\ are escapes in a string');
        value += next;
        i++;
      } else value += ch;
    }
    return this.#fail(start, 'a string is not closed on its line');
  }

  #spaces(): void {
    while (this.source[this.#at] === ' ' || this.source[this.#at] === '\t') this.#at++;
  }

  #close(start: number): void {
    this.#spaces();
    if (!this.source.startsWith('}}', this.#at)) this.#fail(start, 'expected }} to end the action');
    this.#at += 2;
  }

  #fail(start: number, problem: string): never {
    const before = this.source.slice(0, start);
    const line = before.split('\n').length;
    const column = start - before.lastIndexOf('\n');
    const end = this.source.indexOf('\n', start);
    const action = this.source.slice(start, end < 0 ? undefined : end).slice(0, 60);
    throw new ValidationError(
      this.field,
      `${this.field} line ${line}, column ${column}: ${problem}; found ${JSON.stringify(action)}.`,
    );
  }
}
