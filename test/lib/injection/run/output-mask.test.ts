import fc from 'fast-check';
import {
  CONCEALED,
  OutputMask,
  concealedForms,
  type MaskedStream,
} from '../../../../lib/injection/run/output-mask';

/** Everything a stream passes on for `chunks`, as text. */
function through(stream: MaskedStream, chunks: readonly string[]): string {
  const out = chunks.map((chunk) => stream.write(Buffer.from(chunk, 'utf8')));
  out.push(stream.end());
  return Buffer.concat(out).toString('utf8');
}

/** `text` cut at the given (sorted, deduplicated) byte offsets. */
function cut(text: string, at: readonly number[]): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const points = [...new Set(at.map((point) => point % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    pieces.push(bytes.subarray(from, point));
    from = point;
  }
  return pieces;
}

describe('OutputMask', () => {
  describe('concealedForms', () => {
    it('lists the value, its JSON-escaped, URL-encoded, base64 and base64url forms', () => {
      const value = 'p@ss"w/rd+é?';
      expect(concealedForms(value)).toEqual(
        expect.arrayContaining([
          value,
          'p@ss\\"w/rd+é?',
          encodeURIComponent(value),
          Buffer.from(value).toString('base64').replace(/=+$/, ''),
          Buffer.from(value).toString('base64url'),
        ]),
      );
    });

    it('keeps a short value as it is, without its encodings, and an empty one not at all', () => {
      expect(concealedForms('abc')).toEqual(['abc']);
      expect(concealedForms('')).toEqual([]);
    });
  });

  describe('stream', () => {
    it('conceals a value inside one chunk and passes the rest on at once', () => {
      const stream = new OutputMask(['hunter2-secret']).stream();
      expect(stream.write(Buffer.from('password=hunter2-secret; ok\n')).toString()).toBe(
        `password=${CONCEALED}; ok\n`,
      );
      expect(stream.held).toBe(0);
    });

    it('conceals a value split across chunks, holding back only what could start it', () => {
      const stream = new OutputMask(['hunter2-secret']).stream();
      expect(stream.write(Buffer.from('user=ana password=hunt')).toString()).toBe('user=ana password=');
      expect(stream.held).toBe('hunt'.length);
      expect(stream.write(Buffer.from('er2-sec')).toString()).toBe('');
      expect(stream.write(Buffer.from('ret done')).toString()).toBe(`${CONCEALED} done`);
      expect(stream.end().toString()).toBe('');
    });

    it('conceals a value printed a byte at a time', () => {
      const stream = new OutputMask(['hunter2-secret']).stream();
      expect(through(stream, [...'>hunter2-secret<'])).toBe(`>${CONCEALED}<`);
    });

    it('passes on a held prefix that turned out not to be a value', () => {
      const stream = new OutputMask(['hunter2-secret']).stream();
      expect(stream.write(Buffer.from('hunter')).toString()).toBe('');
      expect(stream.write(Buffer.from('s and gatherers\n')).toString()).toBe('hunters and gatherers\n');
      expect(stream.write(Buffer.from('the end: hunt')).toString()).toBe('the end: ');
      expect(stream.end().toString()).toBe('hunt');
    });

    it('conceals the JSON-escaped and base64 forms and the fields of a JSON value', () => {
      const db = JSON.stringify({ username: 'billing_app', password: 'qu"ote-s3cret', port: 5432 });
      const mask = new OutputMask([db]);
      const stream = mask.stream();
      const printed = [
        `config ${JSON.stringify({ db })}`,
        `password ${JSON.stringify({ password: 'qu"ote-s3cret' })}`,
        `basic ${Buffer.from('qu"ote-s3cret').toString('base64')}`,
        'user billing_app port 5432',
      ].join('\n');
      const out = through(stream, [printed]);
      expect(out).not.toContain('s3cret');
      expect(out).not.toContain(Buffer.from('qu"ote-s3cret').toString('base64').slice(0, 12));
      expect(out).not.toContain('billing_app');
      // Numbers and short strings of a JSON value are not concealed: ordinary output is full of them.
      expect(out).toContain('port 5432');
    });

    it('conceals overlapping values as one run', () => {
      const stream = new OutputMask(['abcdef12', 'ef12ghij']).stream();
      expect(through(stream, ['xxabcdef12ghijyy'])).toBe(`xx${CONCEALED}yy`);
    });

    it('conceals values added after the stream started (a rotated secret)', () => {
      const mask = new OutputMask(['old-value-1']);
      const stream = mask.stream();
      expect(stream.write(Buffer.from('old-value-1 new-value-2\n')).toString()).toBe(
        `${CONCEALED} new-value-2\n`,
      );
      mask.add('new-value-2');
      expect(through(stream, ['old-value-1 new-value-2\n'])).toBe(`${CONCEALED} ${CONCEALED}\n`);
    });

    it('keeps multi-byte characters around a value intact', () => {
      const stream = new OutputMask(['ünïcødé-sécret']).stream();
      const bytes = Buffer.from('→ ünïcødé-sécret ←', 'utf8');
      const pieces = [...bytes].map((byte) => Buffer.from([byte]));
      const out = Buffer.concat([...pieces.map((piece) => stream.write(piece)), stream.end()]);
      expect(out.toString('utf8')).toBe(`→ ${CONCEALED} ←`);
    });

    it('never passes a value on, however the output is cut (property)', () => {
      const secret = fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme-ascii' });
      fc.assert(
        fc.property(
          fc.array(secret, { minLength: 1, maxLength: 4 }),
          fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.nat({ max: 3 })), { maxLength: 12 }),
          fc.array(fc.nat({ max: 400 }), { maxLength: 12 }),
          (values, parts, cuts) => {
            // Plain text with the values placed in it (a number picks which value).
            const text = parts
              .map((part) => (typeof part === 'number' ? values[part % values.length] : part))
              .join('');
            const mask = new OutputMask(values);
            const stream = mask.stream();
            const out = Buffer.concat([...cut(text, cuts).map((piece) => stream.write(piece)), stream.end()]);
            const shown = out.toString('utf8');
            for (const value of values) {
              // A value may only appear where the replacement text itself spells it.
              expect(shown.split(CONCEALED).join('\u0000')).not.toContain(value);
            }
            // The same output however it was cut.
            const whole = new OutputMask(values).stream();
            expect(Buffer.concat([whole.write(Buffer.from(text)), whole.end()]).equals(out)).toBe(true);
            expect(stream.held).toBe(0);
          },
        ),
        { numRuns: 400 },
      );
    });

    it('holds back only the tail that could start a value, less than the longest form', () => {
      const mask = new OutputMask(['0123456789abcdef']);
      const stream = mask.stream();
      expect(stream.write(Buffer.from('x'.repeat(100) + '0123456789abcde')).toString()).toBe('x'.repeat(100));
      expect(stream.held).toBe(15);
      expect(stream.held).toBeLessThan(mask.longest);
    });
  });
});
