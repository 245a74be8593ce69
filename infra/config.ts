import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InfraPropsError } from './constructs/props';

/** One environment (account + region) the app deploys. */
export interface EnvironmentConfig {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  /** Regions the secrets are replicated to. */
  readonly replicaRegions: readonly string[];
  /** Who hears about failed or overdue rotations. */
  readonly alarmEmails: readonly string[];
  /** An existing VPC, named by id so synthesis needs no lookup (and no credentials). */
  readonly vpc: {
    readonly vpcId: string;
    readonly availabilityZones: readonly string[];
    readonly privateSubnetIds: readonly string[];
  };
  /** The existing PostgreSQL database whose credentials rotate. */
  readonly database: {
    readonly engine: 'postgres';
    readonly host: string;
    readonly port: number;
    readonly dbname: string;
    readonly username: string;
    readonly masterUsername: string;
  };
  readonly rotation: {
    readonly databaseEveryDays: number;
    readonly apiKeyEveryDays: number;
    readonly windowHours: number;
  };
}

export interface AppConfig {
  readonly service: string;
  readonly environments: readonly EnvironmentConfig[];
}

const fail = (path: string, message: string): never => {
  throw new InfraPropsError('keystage config', path, message);
};

function field<T>(value: unknown, path: string, check: (v: unknown) => v is T, what: string): T {
  if (!check(value)) fail(path, `must be ${what}; got ${JSON.stringify(value)}.`);
  return value as T;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
const matching =
  (pattern: RegExp) =>
  (v: unknown): v is string =>
    typeof v === 'string' && pattern.test(v);

/**
 * Checks a parsed config file; every error is an InfraPropsError whose `field` is the path of
 * the bad field, like `environments.prod.account`.
 * @example
 * const config = parseConfig(JSON.parse(text), 'billing.json');
 */
export function parseConfig(raw: unknown, source = 'config'): AppConfig {
  const root = field(
    raw,
    source,
    (v): v is Record<string, unknown> => typeof v === 'object' && v !== null,
    'an object',
  );
  const service = field(root.service, 'service', matching(/^[A-Za-z0-9_+=.@-]{1,64}$/), 'a service name');
  const envs = field(
    root.environments,
    'environments',
    (v): v is Record<string, Record<string, unknown>> =>
      typeof v === 'object' && v !== null && Object.keys(v).length > 0,
    'an object with at least one environment',
  );
  const environments = Object.entries(envs).map(([name, env]): EnvironmentConfig => {
    const at = (key: string) => `environments.${name}.${key}`;
    field(name, 'environments', matching(/^[a-z][a-z0-9-]{0,31}$/), 'lowercase environment names');
    const vpc = (env.vpc ?? {}) as Record<string, unknown>;
    const db = (env.database ?? {}) as Record<string, unknown>;
    const rotation = (env.rotation ?? {}) as Record<string, unknown>;
    const windowHours = field(
      rotation.windowHours,
      at('rotation.windowHours'),
      isCount,
      'whole hours (1..24)',
    );
    if (windowHours > 24) fail(at('rotation.windowHours'), `must be at most 24; got ${windowHours}.`);
    return {
      name,
      account: field(env.account, at('account'), matching(/^\d{12}$/), 'a 12-digit account id'),
      region: field(env.region, at('region'), matching(/^[a-z]{2}(-[a-z]+)+-\d$/), 'a region like eu-west-1'),
      replicaRegions: field(env.replicaRegions ?? [], at('replicaRegions'), isStrings, 'a list of regions'),
      alarmEmails: field(env.alarmEmails ?? [], at('alarmEmails'), isStrings, 'a list of e-mail addresses'),
      vpc: {
        vpcId: field(vpc.vpcId, at('vpc.vpcId'), matching(/^vpc-[0-9a-f]{8,17}$/), 'a VPC id'),
        availabilityZones: field(
          vpc.availabilityZones,
          at('vpc.availabilityZones'),
          isStrings,
          'a list of zones',
        ),
        privateSubnetIds: field(
          vpc.privateSubnetIds,
          at('vpc.privateSubnetIds'),
          (v): v is string[] => isStrings(v) && v.every((s) => /^subnet-[0-9a-f]{8,17}$/.test(s)),
          'a list of subnet ids',
        ),
      },
      database: {
        engine: field(
          db.engine,
          at('database.engine'),
          (v): v is 'postgres' => v === 'postgres',
          '"postgres"',
        ),
        host: field(db.host, at('database.host'), matching(/^[A-Za-z0-9.-]+$/), 'a host name'),
        port: field(db.port ?? 5432, at('database.port'), isCount, 'a port'),
        dbname: field(db.dbname, at('database.dbname'), isString, 'a database name'),
        username: field(
          db.username,
          at('database.username'),
          matching(/^[a-z_][a-z0-9_]{0,56}$/),
          'a user name',
        ),
        masterUsername: field(
          db.masterUsername,
          at('database.masterUsername'),
          matching(/^[a-z_][a-z0-9_]{0,62}$/),
          'a user name',
        ),
      },
      rotation: {
        databaseEveryDays: field(
          rotation.databaseEveryDays,
          at('rotation.databaseEveryDays'),
          isCount,
          'whole days',
        ),
        apiKeyEveryDays: field(
          rotation.apiKeyEveryDays,
          at('rotation.apiKeyEveryDays'),
          isCount,
          'whole days',
        ),
        windowHours,
      },
    };
  });
  return { service, environments };
}

/**
 * Reads and checks a config file (JSON). A file that is missing, unreadable or not JSON is an
 * InfraPropsError on `keystage:config` that says which, in one line.
 * @example
 * const config = loadConfig('infra/config/example.json');
 */
export function loadConfig(path: string): AppConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return fail('keystage:config', `names a file that does not exist: ${resolve(path)}.`);
    }
    return fail(
      'keystage:config',
      `names a file that cannot be read (${code ?? 'unknown error'}): ${resolve(path)}.`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail('keystage:config', `names a file that is not JSON: ${resolve(path)}.`);
  }
  return parseConfig(raw, path);
}
