import type { Shape, StructureShape } from '../../lib/local/schema';

/** What the endpoint answered to a raw call. */
export interface RawAnswer {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

/**
 * A call as the SDK sends it (AWS JSON 1.1, signed for us-east-1), with a body the SDK would
 * never send: `target` is the X-Amz-Target prefix (TrentService, Logs_20140328, secretsmanager),
 * `service` the signing name.
 */
export async function rawCall(
  url: string,
  target: string,
  service: string,
  operation: string,
  body: unknown,
): Promise<RawAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${target}.${operation}`,
      authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { __type?: string; message?: string };
  return { status: response.status, type: json.__type ?? '', message: json.message ?? '' };
}

/** A JSON value of the wrong type for a shape (undefined for a document, which takes anything). */
export function wrongValue(shape: Shape): unknown {
  switch (shape.type) {
    case 'string':
    case 'blob':
    case 'timestamp':
      return { not: 'text' };
    case 'integer':
    case 'long':
      return '7';
    case 'boolean':
      return 'yes';
    case 'list':
      return { not: 'a list' };
    case 'map':
      return ['not', 'a map'];
    case 'structure':
      return 'not a structure';
    case 'document':
      return undefined;
  }
}

/** Every top-level member of every operation's input shape, as [operation, member, shape]. */
export function membersOf(
  shapes: Readonly<Record<string, StructureShape>>,
): ReadonlyArray<readonly [string, string, Shape]> {
  return Object.entries(shapes).flatMap(([operation, input]) =>
    Object.entries(input.members).map(([member, shape]) => [operation, member, shape] as const),
  );
}
