import type {
  ContainerDefinition,
  KeyValuePair,
  RegisterTaskDefinitionCommandInput,
  Secret,
  Tag,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { ConflictError, ValidationError } from '../../../errors';
import type { CheckedVariable } from '../request';
import type { ResolvedMapping } from '../secrets';

/**
 * Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not take: ECS sets
 * them (ECS API reference, TaskDefinition vs RegisterTaskDefinition request). Everything
 * else of the revision is carried to the next one as it was.
 */
const READ_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const;

/** A Secrets Manager `valueFrom`: the ARN, optionally `:json-key:version-stage:version-id`. */
const SECRETS_MANAGER_VALUE_FROM =
  /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+)(?::([^:]*):([^:]*):([^:]*))?$/;

/**
 * The `valueFrom` of a secret in the documented JSON-key form
 * `arn:…:secret:name-AbCdEf:json-key:version-stage:version-id`, stage and id left empty so
 * that ECS reads AWSCURRENT when a task starts; the plain ARN for the whole value.
 */
export function valueFrom(secretArn: string, jsonKey: string | undefined): string {
  return jsonKey === undefined ? secretArn : `${secretArn}:${jsonKey}::`;
}

/** The secret ARN and JSON key of a Secrets Manager `valueFrom`; undefined for anything else (SSM). */
export function parseValueFrom(
  value: string,
): { secretArn: string; jsonKey: string | undefined } | undefined {
  const match = SECRETS_MANAGER_VALUE_FROM.exec(value);
  if (match === null) return undefined;
  return { secretArn: match[1]!, jsonKey: match[2] === '' ? undefined : match[2] };
}

/**
 * A described revision as RegisterTaskDefinition's input: the read-only fields stripped, its
 * tags kept (except `aws:` ones, which only AWS may set).
 */
export function registerInput(
  definition: TaskDefinition,
  tags: readonly Tag[] | undefined,
): RegisterTaskDefinitionCommandInput {
  const input: Record<string, unknown> = { ...definition };
  for (const field of READ_ONLY_FIELDS) delete input[field];
  const kept = (tags ?? []).filter((tag) => !(tag.key ?? '').startsWith('aws:'));
  if (kept.length > 0) input.tags = kept;
  return input as unknown as RegisterTaskDefinitionCommandInput;
}

/** JSON with sorted keys, empty arrays and absent fields dropped: ECS reports `[]` for what was never set. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (Array.isArray(v)) return v.length === 0 ? undefined : v;
    if (typeof v !== 'object' || v === null || v instanceof Date) return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, field]) => field !== undefined && !(Array.isArray(field) && field.length === 0))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}

/** Whether two registrations would describe the same revision. */
export function sameRegistration(
  a: RegisterTaskDefinitionCommandInput,
  b: RegisterTaskDefinitionCommandInput,
): boolean {
  return canonical(a) === canonical(b);
}

/**
 * The container that gets the entries: the one named, else the one the job used, else the
 * only one.
 * @throws ValidationError (field `target.container`) when that is not one container
 */
export function chooseContainer(
  definition: TaskDefinition,
  named: string | undefined,
  recorded: string | undefined,
): string {
  const names = (definition.containerDefinitions ?? []).map((c) => c.name ?? '');
  const choice = named ?? (recorded !== undefined && names.includes(recorded) ? recorded : undefined);
  if (choice !== undefined) {
    if (names.includes(choice)) return choice;
    throw new ValidationError(
      'target.container',
      `task definition ${definition.taskDefinitionArn} has no container ${JSON.stringify(choice)}; it has ${names.map((n) => JSON.stringify(n)).join(', ')}.`,
    );
  }
  if (names.length === 1) return names[0]!;
  throw new ValidationError(
    'target.container',
    `task definition ${definition.taskDefinitionArn} has ${names.length} containers (${names.join(', ')}): ` +
      'name the one that receives the secrets as target.container.',
  );
}

/** What to take out of one container and put into another (often the same). */
export interface EntryChange {
  /** The container the job's earlier entries are in. */
  readonly from: string | undefined;
  /** The variables to take out of it: the job's earlier ones. */
  readonly remove: readonly string[];
  /** The container that gets the new entries. */
  readonly to: string | undefined;
  readonly secrets: readonly ResolvedMapping[];
  readonly environment: readonly CheckedVariable[];
}

function withList<T extends { name?: string | undefined }>(
  original: T[] | undefined,
  entries: T[],
): T[] | undefined {
  return original === undefined && entries.length === 0 ? undefined : entries;
}

/**
 * The containers with the job's earlier entries taken out and the new ones put in. An entry
 * already there with the same name and the same reference stays where it is (a rerun after a
 * crash, or nothing changed), so applying a change twice gives the same definition.
 * @throws ConflictError when the container already has a variable of that name the job did not set
 */
export function changeEntries(
  containers: readonly ContainerDefinition[],
  change: EntryChange,
): ContainerDefinition[] {
  const removed = new Set(change.remove);
  return containers.map((original) => {
    let secrets = [...(original.secrets ?? [])];
    let environment = [...(original.environment ?? [])];
    if (original.name === change.from) {
      // An earlier entry that is wanted again unchanged keeps its place, so order never churns.
      const keep = original.name === change.to;
      const again = new Map(change.secrets.map((m) => [m.name, valueFrom(m.secretArn, m.jsonKey)]));
      const plain = new Map(change.environment.map((v) => [v.name, v.value]));
      secrets = secrets.filter(
        (s) => !removed.has(s.name ?? '') || (keep && again.get(s.name ?? '') === s.valueFrom),
      );
      environment = environment.filter(
        (e) => !removed.has(e.name ?? '') || (keep && plain.get(e.name ?? '') === e.value),
      );
    }
    if (original.name === change.to) {
      for (const mapping of change.secrets) {
        const wanted: Secret = {
          name: mapping.name,
          valueFrom: valueFrom(mapping.secretArn, mapping.jsonKey),
        };
        const held = secrets.find((s) => s.name === mapping.name);
        if (held !== undefined && held.valueFrom === wanted.valueFrom) continue;
        if (held !== undefined || environment.some((e) => e.name === mapping.name)) {
          throw clash(original.name, mapping.name);
        }
        secrets.push(wanted);
      }
      for (const variable of change.environment) {
        const wanted: KeyValuePair = { name: variable.name, value: variable.value };
        const held = environment.find((e) => e.name === variable.name);
        if (held !== undefined && held.value === wanted.value) continue;
        if (held !== undefined || secrets.some((s) => s.name === variable.name)) {
          throw clash(original.name, variable.name);
        }
        environment.push(wanted);
      }
    }
    const next: ContainerDefinition = { ...original };
    const nextSecrets = withList(original.secrets, secrets);
    const nextEnvironment = withList(original.environment, environment);
    if (nextSecrets === undefined) delete next.secrets;
    else next.secrets = nextSecrets;
    if (nextEnvironment === undefined) delete next.environment;
    else next.environment = nextEnvironment;
    return next;
  });
}

function clash(container: string | undefined, name: string): ConflictError {
  return new ConflictError(
    `container ${JSON.stringify(container)} already has a variable ${name} that this injection did not set: ` +
      'rename the mapping, or remove that variable from the task definition first.',
  );
}

/** The job's entries as the container holds them. */
export function entriesIn(
  containers: readonly ContainerDefinition[],
  container: string | undefined,
  names: readonly string[],
): { secrets: Secret[]; environment: KeyValuePair[] } {
  const wanted = new Set(names);
  const found = containers.find((c) => c.name === container);
  return {
    secrets: (found?.secrets ?? []).filter((s) => wanted.has(s.name ?? '')),
    environment: (found?.environment ?? []).filter((e) => wanted.has(e.name ?? '')),
  };
}
