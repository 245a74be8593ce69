import { PassThrough } from 'node:stream';
import { globalOptions } from '../../../lib/cli/global-options';
import { checkQuery, plain, query, render, renderLine, type Plain } from '../../../lib/cli/output';
import { progressFor } from '../../../lib/cli/progress';
import { styleFor } from '../../../lib/cli/style';
import { ValidationError } from '../../../lib/errors';

const rows = plain([
  { name: 'prod/a', keystage: { kind: 'api-key' }, createdAt: new Date(0), gone: undefined },
  { name: 'prod/b', keystage: { kind: 'json' }, createdAt: new Date(1000) },
]);

describe('plain', () => {
  it('turns dates into ISO strings and drops undefined fields, through toJSON', () => {
    expect(rows).toEqual([
      { name: 'prod/a', keystage: { kind: 'api-key' }, createdAt: '1970-01-01T00:00:00.000Z' },
      { name: 'prod/b', keystage: { kind: 'json' }, createdAt: '1970-01-01T00:00:01.000Z' },
    ]);
    expect(plain(new ValidationError('field', 'bad'))).toEqual({
      name: 'ValidationError',
      code: 'VALIDATION_ERROR',
      message: 'bad',
      field: 'field',
    });
  });
});

describe('render', () => {
  it('prints a table with the view\'s columns and paths, "-" for a missing cell', () => {
    const view = {
      columns: [
        ['NAME', 'name'],
        ['KIND', 'keystage.kind'],
        ['OWNER', 'tags.owner'],
      ] as const,
    };
    expect(render(rows, 'table', { view })).toBe(
      'NAME    KIND     OWNER\nprod/a  api-key  -\nprod/b  json     -\n',
    );
  });

  it('makes headers from the keys without a view, and an object a FIELD/VALUE table with its lists below', () => {
    expect(render(plain([{ versionId: 'v1', lastAccessedAt: null }]), 'table')).toBe(
      'VERSION ID  LAST ACCESSED AT\nv1          -\n',
    );
    expect(
      render(
        plain({
          name: 'x',
          rotation: { enabled: false },
          versions: [{ versionId: 'v1', stages: ['AWSCURRENT'] }],
        }),
        'table',
      ),
    ).toBe(
      'FIELD             VALUE\nname              x\nrotation.enabled  false\n\nversions:\nVERSION ID  STAGES\nv1          AWSCURRENT\n',
    );
  });

  it('prints text as the AWS CLI does: tab-separated rows, None for a missing value, a scalar as it is', () => {
    expect(
      render(rows, 'text', {
        view: {
          columns: [
            ['NAME', 'name'],
            ['X', 'x'],
          ],
        },
      }),
    ).toBe('prod/a\tNone\nprod/b\tNone\n');
    expect(render(plain(['a', 'b']), 'text')).toBe('a\tb\n');
    expect(render('just this', 'text')).toBe('just this\n');
    expect(render(plain({ a: 1, b: { c: [1, 2] } }), 'text')).toBe('a\t1\nb.c\t1,2\n');
  });

  it('ignores the view once a query has reshaped the data', () => {
    const named = query(rows, '[].{n: name}');
    expect(render(named, 'table', { view: { columns: [['KIND', 'keystage.kind']] }, queried: true })).toBe(
      'N\nprod/a\nprod/b\n',
    );
  });

  it('prints JSON, YAML and NDJSON lines', () => {
    expect(render(plain({ a: [1] }), 'json')).toBe('{\n  "a": [\n    1\n  ]\n}\n');
    expect(render(plain({ a: [1] }), 'yaml')).toBe('a:\n  - 1\n');
    expect(renderLine((rows as Plain[])[0]!, 'json')).toBe(
      '{"name":"prod/a","keystage":{"kind":"api-key"},"createdAt":"1970-01-01T00:00:00.000Z"}\n',
    );
  });
});

describe('--query', () => {
  it('applies JMESPath', () => {
    expect(query(rows, "[?keystage.kind=='json'].name")).toEqual(['prod/b']);
  });

  it('refuses an expression that does not parse, naming --query', () => {
    expect(() => checkQuery('[?name ==')).toThrow(expect.objectContaining({ field: '--query' }) as Error);
  });
});

describe('global options', () => {
  it('takes the output format from KEYSTAGE_OUTPUT unless --output says, and refuses a bad one', () => {
    expect(globalOptions({}, {}).output).toBe('json');
    expect(globalOptions({}, { KEYSTAGE_OUTPUT: 'table' }).output).toBe('table');
    expect(globalOptions({ output: 'yaml' }, { KEYSTAGE_OUTPUT: 'table' }).output).toBe('yaml');
    expect(() => globalOptions({}, { KEYSTAGE_OUTPUT: 'xml' })).toThrow(
      expect.objectContaining({ field: 'KEYSTAGE_OUTPUT' }) as Error,
    );
  });

  it.each([['localhost:4599'], ['ftp://127.0.0.1/'], ['not a url']])('refuses --endpoint-url %p', (url) => {
    expect(() => globalOptions({ endpointUrl: url }, {})).toThrow(
      expect.objectContaining({ field: '--endpoint-url' }) as Error,
    );
  });

  it('refuses an empty --region', () => {
    expect(() => globalOptions({ region: ' ' }, {})).toThrow(
      expect.objectContaining({ field: '--region' }) as Error,
    );
  });
});

describe('styleFor', () => {
  it('colours only a terminal, without --no-color and NO_COLOR', () => {
    expect(styleFor(true, {}, true).bold('x')).toBe('\u001b[1mx\u001b[22m');
    expect(styleFor(false, {}, true).bold('x')).toBe('x');
    expect(styleFor(true, {}, false).bold('x')).toBe('x');
    expect(styleFor(true, { NO_COLOR: '1' }, true).bold('x')).toBe('x');
    expect(styleFor(true, { NO_COLOR: '' }, true).bold('x')).toBe('\u001b[1mx\u001b[22m');
  });
});

describe('progressFor', () => {
  const style = styleFor(false, {}, false);
  const written = (stream: PassThrough) => String(stream.read() ?? '');

  it('redraws one line on a terminal at most every 100 ms, with a bar when the total is known, then clears it', () => {
    const stream = new PassThrough();
    let now = 0;
    const progress = progressFor(stream, {
      label: 'copy',
      total: 4,
      terminal: true,
      quiet: false,
      style,
      now: () => now,
    });
    progress.tick('a');
    progress.tick('b'); // within 100 ms: not drawn
    now = 150;
    progress.tick('c');
    progress.done('4 copied');
    expect(written(stream)).toBe(
      `\r\u001b[2Kcopy [${'#'.repeat(6)}${'-'.repeat(18)}] 1/4 a\r\u001b[2Kcopy [${'#'.repeat(18)}${'-'.repeat(6)}] 3/4 c\r\u001b[2K4 copied\n`,
    );
  });

  it('draws nothing per item off a terminal, and nothing at all when quiet', () => {
    const piped = new PassThrough();
    const off = progressFor(piped, { label: 'list', terminal: false, quiet: false, style });
    off.tick('a');
    off.done('1 secret');
    expect(written(piped)).toBe('1 secret\n');
    const quiet = new PassThrough();
    const silent = progressFor(quiet, { label: 'list', terminal: true, quiet: true, style });
    silent.tick('a');
    silent.done('1 secret');
    expect(written(quiet)).toBe('');
  });
});
