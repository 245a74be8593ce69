import * as sdk from '@aws-sdk/client-secrets-manager';
import { request } from 'node:http';
import { shape, validateInput, type Shape } from '../../../lib/local/schema';
import { SECRETS_MANAGER_OPERATIONS } from '../../../lib/local/secrets-manager';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

let local: LocalFixture;

beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());

/** Posts a raw AWS JSON 1.1 body, as a client that does not check types would. */
function post(operation: string, body: unknown): Promise<{ status: number; type: string; message: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      local.endpoint.url,
      {
        method: 'POST',
        headers: {
          'x-amz-target': `secretsmanager.${operation}`,
          'content-type': 'application/x-amz-json-1.1',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0',
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          const parsed = (text === '' ? {} : JSON.parse(text)) as { __type?: string; message?: string };
          resolve({ status: res.statusCode ?? 0, type: parsed.__type ?? '', message: parsed.message ?? '' });
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const passes = (s: Shape, value: unknown): boolean => {
  try {
    validateInput(shape.structure({ x: s }), { x: value });
    return true;
  } catch {
    return false;
  }
};

/** A value the shape accepts: the first candidate that passes (patterns and enums included). */
function validValue(s: Shape): unknown {
  switch (s.type) {
    case 'string': {
      const min = Math.max(s.min ?? 1, 1);
      const candidates = [...(s.enum ?? []), 'us-east-1', 'rate(1 days)', '1h', 'a'.repeat(min)];
      const found = candidates.find((candidate) => passes(s, candidate));
      if (found === undefined) throw new TypeError('no candidate string fits a shape');
      return found;
    }
    case 'blob':
      return Buffer.alloc(Math.max(s.min ?? 1, 1)).toString('base64');
    case 'integer':
    case 'long':
      return s.min ?? 1;
    case 'boolean':
      return true;
    case 'timestamp':
      return 1;
    case 'document':
      return {};
    case 'list':
      return Array.from({ length: Math.max(s.min ?? 1, 1) }, () => validValue(s.member));
    case 'map':
      return {};
    case 'structure':
      return Object.fromEntries(
        Object.entries(s.members)
          .filter(([, member]) => member.required === true)
          .map(([name, member]) => [name, validValue(member)]),
      );
  }
}

/** Values of the wrong JSON type (or out of the type) for a shape. */
function wrongValues(s: Shape): unknown[] {
  switch (s.type) {
    case 'string':
      return [123, true, [], {}, ['a'], null];
    case 'blob':
      return [123, [], {}, 'not base64!', null];
    case 'integer':
    case 'long':
      return ['1', true, [], {}, 1.5, null];
    case 'boolean':
      return ['true', 1, [], {}, null];
    case 'timestamp':
      return ['yesterday', [], {}, null];
    case 'document':
      return [];
    case 'list':
      return ['x', 1, {}, true, null];
    case 'map':
      return ['x', 1, [], null];
    case 'structure':
      return ['x', 1, [], true, null];
  }
}

interface Case {
  /** Member names from the top, with 0 for "the first item of this list". */
  readonly path: ReadonlyArray<string | 0>;
  /** The member path as the service's message names it. */
  readonly named: string;
  readonly value: unknown;
}

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/** Every member at every depth, with each wrong value for it: new members are covered as they are added. */
function casesOf(s: Shape, path: ReadonlyArray<string | 0>, named: string): Case[] {
  const here = path.length === 0 ? [] : wrongValues(s).map((value) => ({ path, named, value }));
  if (s.type === 'list') return [...here, ...casesOf(s.member, [...path, 0], `${named}.1.member`)];
  if (s.type === 'structure') {
    return [
      ...here,
      ...Object.entries(s.members).flatMap(([name, member]) =>
        casesOf(member, [...path, name], named === '' ? lowerFirst(name) : `${named}.${lowerFirst(name)}`),
      ),
    ];
  }
  return here;
}

/** The valid base body with `value` placed at `path` (its parents made valid first). */
function bodyWith(input: Shape, path: ReadonlyArray<string | 0>, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (input.type === 'list') {
    return [bodyWith(input.member, rest, value)];
  }
  if (input.type !== 'structure') throw new TypeError('a path goes through a scalar');
  const base = validValue(input) as Record<string, unknown>;
  return { ...base, [head!]: bodyWith(input.members[head as string]!, rest, value) };
}

const operations = Object.entries(SECRETS_MANAGER_OPERATIONS);
const cases = operations.flatMap(([operation, { input }]) =>
  casesOf(input, [], '').map((c) => ({ operation, ...c, body: bodyWith(input, c.path, c.value) })),
);

describe('Secrets Manager input shapes', () => {
  it('has an operation, with the same members and required members, for every command of the SDK', () => {
    const commands = Object.keys(sdk)
      .filter((key) => key.endsWith('Command') && key !== '$Command')
      .map((key) => key.slice(0, -'Command'.length))
      .sort();
    expect(Object.keys(SECRETS_MANAGER_OPERATIONS).sort()).toEqual(commands);
    for (const operation of commands) {
      // The SDK's own schema: [kind, namespace, name, traits, member names, member schemas, required count].
      const schema = (sdk as unknown as Record<string, unknown[]>)[`${operation}Request$`]!;
      const names = schema[4] as string[];
      const required = names.slice(0, (schema[6] as number | undefined) ?? 0);
      const members = SECRETS_MANAGER_OPERATIONS[operation]!.input.members;
      expect({ operation, members: Object.keys(members).sort() }).toEqual({
        operation,
        members: [...names].sort(),
      });
      expect({
        operation,
        required: Object.keys(members)
          .filter((name) => members[name]!.required === true)
          .sort(),
      }).toEqual({ operation, required: [...required].sort() });
    }
  });

  it('generates a case for every member of every operation', () => {
    const covered = new Set(cases.map((c) => `${c.operation}.${c.path[0] as string}`));
    for (const [operation, { input }] of operations) {
      for (const member of Object.keys(input.members)) expect(covered).toContain(`${operation}.${member}`);
    }
    expect(cases.length).toBeGreaterThan(500);
  });

  it('accepts each base body (anything but a ValidationException), so each case tests its one member', async () => {
    for (const [operation, { input }] of operations) {
      const answer = await post(operation, validValue(input));
      expect({ operation, type: answer.type }).not.toEqual({ operation, type: 'ValidationException' });
      expect(answer.status).toBeLessThan(500);
    }
  });

  it('answers every wrong-typed member with a 400 ValidationException naming it, never a 500', async () => {
    const failures: string[] = [];
    for (const c of cases) {
      const answer = await post(c.operation, c.body);
      const ok =
        answer.status === 400 &&
        answer.type === 'ValidationException' &&
        answer.message.includes(`Value at '${c.named}'`);
      if (!ok) {
        failures.push(
          `${c.operation} ${c.named} = ${JSON.stringify(c.value)}: ${answer.status} ${answer.type}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });

  it('never repeats a wrong value in the message', async () => {
    const answer = await post('CreateSecret', { Name: 'n', SecretString: ['sup3r-secret-value'] });
    expect(answer.type).toBe('ValidationException');
    expect(answer.message).not.toContain('sup3r-secret-value');
  });

  it('refuses SecretBinary that is not base64 instead of storing it altered', async () => {
    const sm = local.sm();
    for (const SecretBinary of ['not base64!', 'QUJD=', 'QUJ', 'QU JD']) {
      const answer = await post('CreateSecret', { Name: 'binary-raw', SecretBinary });
      expect({ SecretBinary, status: answer.status, type: answer.type }).toEqual({
        SecretBinary,
        status: 400,
        type: 'ValidationException',
      });
    }
    await expect(sm.send(new sdk.DescribeSecretCommand({ SecretId: 'binary-raw' }))).rejects.toBeInstanceOf(
      sdk.ResourceNotFoundException,
    );
    // Well-formed base64 round-trips byte for byte.
    const bytes = Buffer.from([0, 255, 1, 254, 128]);
    await sm.send(new sdk.CreateSecretCommand({ Name: 'binary-ok', SecretBinary: bytes }));
    const read = await sm.send(new sdk.GetSecretValueCommand({ SecretId: 'binary-ok' }));
    expect(Buffer.from(read.SecretBinary!)).toEqual(bytes);
  });

  it('names an unknown filter key a ValidationException and a filter without values a 400', async () => {
    const unknown = await post('ListSecrets', { Filters: [{ Key: 'colour', Values: ['red'] }] });
    expect([unknown.status, unknown.type]).toEqual([400, 'ValidationException']);
    const empty = await post('ListSecrets', { Filters: [{ Key: 'name', Values: [] }] });
    expect([empty.status, empty.type]).toEqual([400, 'ValidationException']);
    const missing = await post('ListSecrets', { Filters: [{ Key: 'name' }] });
    expect([missing.status, missing.type]).toEqual([400, 'InvalidParameterException']);
    const noKey = await post('BatchGetSecretValue', { Filters: [{ Values: ['a'] }] });
    expect([noKey.status, noKey.type]).toEqual([400, 'InvalidParameterException']);
  });
});
