import { ServiceFault } from './fault';

/**
 * Input shapes of the local endpoint's operations, written from the AWS API references
 * (types, required members, lengths, ranges, patterns, enums). Every request body is checked
 * against its operation's shape before the operation runs, so a wrong JSON type or a value
 * out of range is a 400 ValidationException, as the service answers, never a 500. Messages
 * name the member and the constraint but never repeat the value: it may be a secret.
 */
export type Shape =
  | StringShape
  | BlobShape
  | NumberShape
  | BooleanShape
  | TimestampShape
  | ListShape
  | MapShape
  | StructureShape
  | DocumentShape;

interface Common {
  /** Must be present (and not null). @default false */
  readonly required?: boolean;
}

export interface StringShape extends Common {
  readonly type: 'string';
  readonly min?: number;
  readonly max?: number;
  /** Anchored; checked after the length, and only on strings within it (no long inputs). */
  readonly pattern?: RegExp;
  readonly enum?: readonly string[];
}

/** Bytes sent base64-encoded; limits apply to the decoded bytes. */
export interface BlobShape extends Common {
  readonly type: 'blob';
  readonly min?: number;
  readonly max?: number;
}

export interface NumberShape extends Common {
  readonly type: 'integer' | 'long';
  readonly min?: number;
  readonly max?: number;
}

export interface BooleanShape extends Common {
  readonly type: 'boolean';
}

/** Epoch seconds, as AWS JSON protocols send timestamps. */
export interface TimestampShape extends Common {
  readonly type: 'timestamp';
}

export interface ListShape extends Common {
  readonly type: 'list';
  readonly member: Shape;
  readonly min?: number;
  readonly max?: number;
}

export interface MapShape extends Common {
  readonly type: 'map';
  readonly key: StringShape;
  readonly value: Shape;
  readonly min?: number;
  readonly max?: number;
}

export interface StructureShape extends Common {
  readonly type: 'structure';
  readonly members: Readonly<Record<string, Shape>>;
}

/** Any JSON value (a policy document given as an object, say). */
export interface DocumentShape extends Common {
  readonly type: 'document';
}

type Options<T> = Omit<T, 'type'>;

/** Builders that keep shape tables short. */
export const shape = {
  string: (options: Options<StringShape> = {}): StringShape => ({ type: 'string', ...options }),
  blob: (options: Options<BlobShape> = {}): BlobShape => ({ type: 'blob', ...options }),
  integer: (options: Options<NumberShape> = {}): NumberShape => ({ type: 'integer', ...options }),
  long: (options: Options<NumberShape> = {}): NumberShape => ({ type: 'long', ...options }),
  boolean: (options: Options<BooleanShape> = {}): BooleanShape => ({ type: 'boolean', ...options }),
  timestamp: (options: Options<TimestampShape> = {}): TimestampShape => ({ type: 'timestamp', ...options }),
  list: (member: Shape, options: Options<Omit<ListShape, 'member'>> = {}): ListShape => ({
    type: 'list',
    member,
    ...options,
  }),
  map: (
    key: StringShape,
    value: Shape,
    options: Options<Omit<MapShape, 'key' | 'value'>> = {},
  ): MapShape => ({
    type: 'map',
    key,
    value,
    ...options,
  }),
  structure: (
    members: Readonly<Record<string, Shape>>,
    options: Options<Omit<StructureShape, 'members'>> = {},
  ): StructureShape => ({ type: 'structure', members, ...options }),
  document: (options: Options<DocumentShape> = {}): DocumentShape => ({ type: 'document', ...options }),
  /** The same shape, required. */
  required: <T extends Shape>(inner: T): T => ({ ...inner, required: true }),
};

/** Strict base64 as AWS JSON protocols carry blobs: the standard alphabet, padded. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isBase64(text: string): boolean {
  return BASE64.test(text);
}

/** The most problems one message lists, as the service does. */
const MAX_REPORTED = 10;

/** Member names in messages are lower camel case with 1-based list positions, as AWS writes them. */
function memberPath(parent: string, member: string): string {
  const name = member.charAt(0).toLowerCase() + member.slice(1);
  return parent === '' ? name : `${parent}.${name}`;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function check(shape: Shape, value: unknown, path: string, problems: string[]): void {
  if (problems.length >= MAX_REPORTED) return;
  const fail = (constraint: string): void => {
    problems.push(`Value at '${path}' failed to satisfy constraint: Member ${constraint}`);
  };
  if (value === undefined || value === null) {
    if (shape.required === true || value === null) fail('must not be null');
    return;
  }
  switch (shape.type) {
    case 'string': {
      if (typeof value !== 'string') return fail(`must be a string, not ${describeType(value)}`);
      if (shape.min !== undefined && value.length < shape.min) {
        return fail(`must have length greater than or equal to ${shape.min}`);
      }
      if (shape.max !== undefined && value.length > shape.max) {
        return fail(`must have length less than or equal to ${shape.max}`);
      }
      if (shape.enum !== undefined && !shape.enum.includes(value)) {
        return fail(`must satisfy enum value set: [${shape.enum.join(', ')}]`);
      }
      if (shape.pattern !== undefined && !shape.pattern.test(value)) {
        return fail(`must satisfy regular expression pattern: ${shape.pattern.source}`);
      }
      return;
    }
    case 'blob': {
      if (typeof value !== 'string' || !isBase64(value)) return fail('must be base64-encoded binary data');
      const bytes = Buffer.byteLength(value, 'base64');
      if (shape.min !== undefined && bytes < shape.min) {
        return fail(`must have length greater than or equal to ${shape.min}`);
      }
      if (shape.max !== undefined && bytes > shape.max) {
        return fail(`must have length less than or equal to ${shape.max}`);
      }
      return;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return fail(`must be an integer, not ${describeType(value)}`);
      }
      if (shape.min !== undefined && value < shape.min) {
        return fail(`must have value greater than or equal to ${shape.min}`);
      }
      if (shape.max !== undefined && value > shape.max) {
        return fail(`must have value less than or equal to ${shape.max}`);
      }
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail(`must be a boolean, not ${describeType(value)}`);
      return;
    case 'timestamp':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('must be a timestamp in epoch seconds');
      return;
    case 'document':
      return;
    case 'list': {
      if (!Array.isArray(value)) return fail(`must be a list, not ${describeType(value)}`);
      if (shape.min !== undefined && value.length < shape.min) {
        return fail(`must have length greater than or equal to ${shape.min}`);
      }
      if (shape.max !== undefined && value.length > shape.max) {
        return fail(`must have length less than or equal to ${shape.max}`);
      }
      value.forEach((item, i) => check(shape.member, item, `${path}.${i + 1}.member`, problems));
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        return fail(`must be a map, not ${describeType(value)}`);
      }
      const entries = Object.entries(value as Record<string, unknown>);
      if (shape.min !== undefined && entries.length < shape.min) {
        return fail(`must have at least ${shape.min} entries`);
      }
      if (shape.max !== undefined && entries.length > shape.max) {
        return fail(`must have at most ${shape.max} entries`);
      }
      for (const [key, item] of entries) {
        check(shape.key, key, `${path}.key`, problems);
        check(shape.value, item, `${path}.${key.length <= 64 ? key : 'value'}`, problems);
      }
      return;
    }
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        return fail(`must be a structure, not ${describeType(value)}`);
      }
      const record = value as Record<string, unknown>;
      for (const [name, member] of Object.entries(shape.members)) {
        check(member, record[name], memberPath(path, name), problems);
      }
      return;
    }
  }
}

/**
 * Checks a request body against its operation's input shape. Unknown members are ignored,
 * as the service ignores them.
 */
export function validateInput(input: StructureShape, body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ServiceFault('ValidationException', 'The request body must be a JSON object.');
  }
  const problems: string[] = [];
  for (const [name, member] of Object.entries(input.members)) {
    check(member, (body as Record<string, unknown>)[name], memberPath('', name), problems);
  }
  if (problems.length > 0) {
    throw new ServiceFault(
      'ValidationException',
      `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`,
    );
  }
}
