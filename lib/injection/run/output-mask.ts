/** What a concealed value is replaced with in the child's output. */
export const CONCEALED = '<concealed by keystage>';

const CONCEALED_BYTES = Buffer.from(CONCEALED, 'utf8');

/**
 * Values shorter than this are concealed as they are, but not in their encoded forms
 * (JSON-escaped, URL-encoded, base64): the encodings of a short value are short strings that
 * ordinary output is full of. JSON fields shorter than this are not concealed at all.
 */
export const MIN_ENCODED_LENGTH = 8;

/**
 * The forms of a value a child may print: as it is; JSON-escaped (a value logged inside a JSON
 * object); URL-encoded (a value in a connection string or a query); base64 and base64url, as
 * `Buffer.from(value).toString('base64')` gives them (without the padding, which is kept).
 * base64 is only recognised for the value encoded on its own: the value inside a longer
 * encoded string (an `Authorization: Basic` header) encodes to different characters.
 * @example
 * concealedForms('p@ss word!'); // ['p@ss word!', 'p%40ss%20word!', 'cEBzcyB3b3JkIQ', ...]
 */
export function concealedForms(value: string): string[] {
  if (value === '') return [];
  const forms = new Set([value]);
  if (value.length >= MIN_ENCODED_LENGTH) {
    forms.add(JSON.stringify(value).slice(1, -1));
    forms.add(encodeURIComponent(value));
    const bytes = Buffer.from(value, 'utf8');
    forms.add(bytes.toString('base64').replace(/=+$/, ''));
    forms.add(bytes.toString('base64url'));
  }
  return [...forms];
}

/**
 * The values behind an injected value: itself, and for a JSON object or array (a whole secret
 * injected into one variable), every string in it of at least {@link MIN_ENCODED_LENGTH}
 * characters, since the child may print one field of it.
 */
export function concealedValues(value: string): string[] {
  const found = [value];
  const first = value.trimStart()[0];
  if (first !== '{' && first !== '[') return found;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return found;
  }
  const visit = (node: unknown): void => {
    if (typeof node === 'string') {
      if (node.length >= MIN_ENCODED_LENGTH) found.push(node);
    } else if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (typeof node === 'object' && node !== null) {
      Object.values(node).forEach(visit);
    }
  };
  visit(parsed);
  return found;
}

/**
 * Conceals secret values in a child's output streams. One mask holds the values (more can be
 * added after a rotation, none are ever removed); each output stream gets its own
 * {@link MaskedStream}, since a value may be split across that stream's chunks but never across
 * two streams.
 * @example
 * const mask = new OutputMask(['s3cr3t-password']);
 * const out = mask.stream();
 * out.write(Buffer.from('password=s3cr3t-')) + out.write(Buffer.from('password\n')) + out.end();
 * // 'password=<concealed by keystage>\n'
 */
export class OutputMask {
  /** The byte patterns to conceal: every form of every value. */
  readonly #patterns: Buffer[] = [];
  readonly #known = new Set<string>();
  #longest = 0;

  constructor(values: Iterable<string> = []) {
    for (const value of values) this.add(value);
  }

  /** Conceals `value` (and its forms, and the strings of a JSON value) from now on. */
  add(value: string): void {
    for (const concealed of concealedValues(value)) {
      for (const form of concealedForms(concealed)) {
        if (this.#known.has(form)) continue;
        this.#known.add(form);
        const bytes = Buffer.from(form, 'utf8');
        this.#patterns.push(bytes);
        this.#longest = Math.max(this.#longest, bytes.length);
      }
    }
  }

  /** How many byte patterns are concealed (every form of every value). */
  get size(): number {
    return this.#known.size;
  }

  /** The longest pattern, in bytes: a stream holds back at most one byte less than this. */
  get longest(): number {
    return this.#longest;
  }

  /** A masked view of one output stream. */
  stream(): MaskedStream {
    return new MaskedStream(this);
  }

  /**
   * Every occurrence of every pattern in `buffer` that starts before `before`, as
   * [start, end) byte ranges sorted by start (overlapping ones included).
   */
  occurrences(buffer: Buffer, before: number): Array<readonly [number, number]> {
    const found: Array<readonly [number, number]> = [];
    for (const pattern of this.#patterns) {
      // Buffer#indexOf is native: far faster than comparing at every position in JavaScript.
      for (let at = buffer.indexOf(pattern); at >= 0 && at < before; at = buffer.indexOf(pattern, at + 1)) {
        found.push([at, at + pattern.length]);
      }
    }
    return found.sort((a, b) => a[0] - b[0]);
  }

  /**
   * The first position from which the end of `buffer` is the beginning of some pattern that
   * runs past it: from there on nothing can be decided until more bytes arrive.
   */
  undecidedFrom(buffer: Buffer): number {
    const end = buffer.length;
    for (let at = Math.max(0, end - this.#longest + 1); at < end; at++) {
      const available = end - at;
      for (const pattern of this.#patterns) {
        if (pattern.length > available && buffer.compare(pattern, 0, available, at, end) === 0) return at;
      }
    }
    return end;
  }
}

/**
 * One output stream through an {@link OutputMask}. Bytes are passed on as soon as no value
 * can start among them; only a tail that could be the beginning of a value (at most the
 * longest value's length less one) is held until the next chunk, or `end()`. There is no
 * timer that lets a held tail go early: a value printed slowly, a byte at a time, is still
 * concealed whole. Overlapping values are concealed as one run.
 * @example
 * const stdout = mask.stream();
 * child.stdout.on('data', (chunk: Buffer) => process.stdout.write(stdout.write(chunk)));
 * child.stdout.on('end', () => process.stdout.write(stdout.end()));
 */
export class MaskedStream {
  readonly #mask: OutputMask;
  #held: Buffer = Buffer.alloc(0);
  /** How many bytes at the start of `#held` are inside a value already replaced. */
  #covered = 0;

  constructor(mask: OutputMask) {
    this.#mask = mask;
  }

  /** The bytes of `chunk` (with what was held) that can be passed on, values concealed. */
  write(chunk: Buffer): Buffer {
    return this.#process(this.#held.length === 0 ? chunk : Buffer.concat([this.#held, chunk]), false);
  }

  /** What is still held, concealed as far as it goes: the stream ended. */
  end(): Buffer {
    return this.#process(this.#held, true);
  }

  /** Bytes held back at the moment. */
  get held(): number {
    return this.#held.length;
  }

  #process(buffer: Buffer, final: boolean): Buffer {
    const out: Buffer[] = [];
    const stop = final ? buffer.length : this.#mask.undecidedFrom(buffer);
    // A run of concealed bytes continues from the previous chunk.
    let concealedUntil = this.#covered;
    let plainFrom = this.#covered;
    for (const [start, end] of this.#mask.occurrences(buffer, stop)) {
      if (start >= concealedUntil) {
        if (start > plainFrom) out.push(buffer.subarray(plainFrom, start));
        out.push(CONCEALED_BYTES);
      }
      concealedUntil = Math.max(concealedUntil, end);
      plainFrom = concealedUntil;
    }
    if (stop < concealedUntil) {
      // The run goes on past the undecided tail: its replacement is out already.
      this.#covered = concealedUntil - stop;
    } else {
      if (stop > plainFrom) out.push(buffer.subarray(plainFrom, stop));
      this.#covered = 0;
    }
    this.#held = Buffer.from(buffer.subarray(stop));
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }
}
