/**
 * What a request to the agent asks for, read the way the Secrets Manager Agent reads it
 * (its parse.rs): the same parameters, the same refusals and the same messages, so clients
 * written for the Agent behave the same here.
 */

/** One read: the GetSecretValue parameters the Agent takes. */
export interface SecretQuery {
  readonly secretId: string;
  readonly versionId: string | undefined;
  readonly versionStage: string | undefined;
  /** Skip what the agent knows about the secret's versions and ask the service again. */
  readonly refreshNow: boolean;
}

/** A request the agent answers without reading anything. */
export interface AgentRefusal {
  readonly status: number;
  /** The Agent's plain-text message, e.g. `Bad Token`. Never a value. */
  readonly message: string;
}

export type AgentRoute =
  | { readonly kind: 'ping' }
  | { readonly kind: 'read'; readonly query: SecretQuery }
  | { readonly kind: 'refused'; readonly refusal: AgentRefusal };

const GET_PATH = '/secretsmanager/get';

const refused = (status: number, message: string): AgentRoute => ({
  kind: 'refused',
  refusal: { status, message },
});

function refreshValue(value: string): boolean | undefined {
  switch (value.toLowerCase()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      return undefined;
  }
}

/** The query string's parameters, or the Agent's refusal of the first it does not take. */
function parameters(search: URLSearchParams, allowed: ReadonlySet<string>): Map<string, string> | AgentRoute {
  const found = new Map<string, string>();
  // As in the Agent, a repeated parameter takes its last value.
  for (const [key, value] of search) {
    if (!allowed.has(key)) return refused(400, `unknown parameter: ${key}`);
    found.set(key, value);
  }
  return found;
}

const QUERY_PARAMETERS: ReadonlySet<string> = new Set([
  'secretId',
  'versionId',
  'versionStage',
  'refreshNow',
]);
const PATH_PARAMETERS: ReadonlySet<string> = new Set(['versionId', 'versionStage', 'refreshNow']);

function read(secretId: string, found: ReadonlyMap<string, string>): AgentRoute {
  const refresh = found.get('refreshNow');
  const refreshNow = refresh === undefined ? false : refreshValue(refresh);
  if (refreshNow === undefined) return refused(400, 'invalid refreshNow value');
  return {
    kind: 'read',
    query: {
      secretId,
      versionId: found.get('versionId'),
      versionStage: found.get('versionStage'),
      refreshNow,
    },
  };
}

/**
 * Routes a request target (`/path?query`): `/ping`, `/secretsmanager/get?secretId=…`, or
 * `<pathPrefix><secretId>?…` (the Agent's path form, `/v1/` by default). The secret id of
 * the path form is percent-decoded: secret names cannot contain `%`, so decoding never
 * changes a real name, and an id with `/` can be sent encoded or not.
 */
export function routeRequest(target: string, pathPrefix: string): AgentRoute {
  let url: URL;
  try {
    url = new URL(target, 'http://localhost');
  } catch {
    return refused(400, 'Bad Request');
  }
  const path = url.pathname;
  if (path === '/ping') return { kind: 'ping' };
  if (path === GET_PATH) {
    const found = parameters(url.searchParams, QUERY_PARAMETERS);
    if (!(found instanceof Map)) return found;
    const secretId = found.get('secretId') ?? '';
    if (secretId === '') return refused(400, 'missing parameter secretId');
    return read(secretId, found);
  }
  if (path.startsWith(pathPrefix)) {
    let secretId: string;
    try {
      secretId = decodeURIComponent(path.slice(pathPrefix.length));
    } catch {
      return refused(400, 'missing secret ID');
    }
    if (secretId === '') return refused(400, 'missing secret ID');
    const found = parameters(url.searchParams, PATH_PARAMETERS);
    if (!(found instanceof Map)) return found;
    return read(secretId, found);
  }
  return refused(404, 'Not found');
}
