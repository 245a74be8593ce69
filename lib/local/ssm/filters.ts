import type { Body } from '../wire';
import { invalidFilterKey, invalidFilterOption, invalidFilterValue, validation } from './faults';
import { checkPath, hierarchyName } from './names';
import { latest, type ParameterRecord, type ParameterVersion } from './records';

/*
 * ParameterFilters as the API reference describes them. DescribeParameters takes Name
 * (Equals, BeginsWith, Contains), Path (OneLevel, Recursive), Type, KeyId, Tier, DataType and
 * tag:<key> (Equals, BeginsWith); GetParametersByPath takes Type, KeyId (Equals, BeginsWith)
 * and Label (Equals). A filter's values are alternatives; filters all apply.
 */

export interface ParameterFilter {
  readonly key: string;
  readonly option: string;
  readonly values: readonly string[];
}

type Use = 'describe' | 'path';

const KEYS: Record<Use, readonly string[]> = {
  describe: ['Path', 'Name', 'Type', 'KeyId', 'Tier', 'DataType'],
  path: ['Type', 'KeyId', 'Label'],
};
const TYPES = ['String', 'StringList', 'SecureString'];
const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'];

function optionsFor(key: string): readonly string[] {
  if (key === 'Path') return ['Recursive', 'OneLevel'];
  if (key === 'Name') return ['Equals', 'BeginsWith', 'Contains'];
  if (key === 'Label') return ['Equals'];
  return ['Equals', 'BeginsWith'];
}

function checkValues(key: string, values: readonly string[]): void {
  const allowed = key === 'Type' ? TYPES : key === 'Tier' ? TIERS : undefined;
  const wrong = allowed === undefined ? undefined : values.find((value) => !allowed.includes(value));
  if (wrong !== undefined) {
    throw invalidFilterValue(
      `The following filter value is not valid: ${wrong}. Valid values include: [${allowed!.join(', ')}].`,
    );
  }
  if (key !== 'Path') return;
  for (const value of values) {
    if (/^\/(aws|ssm)/i.test(value)) {
      throw validation(
        'Filters for common parameters can\'t be prefixed with "aws" or "ssm" (case-insensitive). ' +
          'When using global parameters, please specify within a global namespace.',
      );
    }
    checkPath(value);
  }
}

/** The request's ParameterFilters (and, for DescribeParameters, its deprecated Filters), checked. */
export function filtersOf(body: Body, use: Use): ParameterFilter[] {
  const given = (body.ParameterFilters ?? []) as Array<{ Key: string; Option?: string; Values?: string[] }>;
  const legacy = (body.Filters ?? []) as Array<{ Key: string; Values: string[] }>;
  if (given.length > 0 && legacy.length > 0) {
    throw validation('You can use either Filters or ParameterFilters in a single request.');
  }
  const filters: ParameterFilter[] = legacy.map(({ Key, Values }) => ({
    key: Key,
    option: Key === 'Name' ? 'BeginsWith' : 'Equals',
    values: Values,
  }));
  const seen = new Set<string>();
  for (const { Key: key, Option, Values } of given) {
    const known = KEYS[use].includes(key) || (use === 'describe' && key.startsWith('tag:'));
    if (!known) {
      throw invalidFilterKey(
        `The following filter key is not valid: ${key}. Valid filter keys include: [${KEYS[use].join(', ')}${use === 'describe' ? ', tag:<key>' : ''}].`,
      );
    }
    if (seen.has(key)) {
      throw invalidFilterKey(
        `The following filter is duplicated in the request: ${key}. A request can contain only one occurrence of a specific filter.`,
      );
    }
    seen.add(key);
    if (Values === undefined || Values.length === 0) {
      throw invalidFilterValue(`The following filter values are missing : null for filter key ${key}.`);
    }
    const option = Option ?? (key === 'Path' ? 'OneLevel' : 'Equals');
    const options = optionsFor(key);
    if (!options.includes(option)) {
      throw invalidFilterOption(
        `The following filter option is not valid: ${option}. Valid options include: [${options.join(', ')}].`,
      );
    }
    checkValues(key, Values);
    filters.push({ key, option, values: Values });
  }
  return filters;
}

function compare(option: string, actual: string | undefined, values: readonly string[]): boolean {
  if (actual === undefined) return false;
  if (option === 'BeginsWith') return values.some((value) => actual.startsWith(value));
  if (option === 'Contains') return values.some((value) => actual.includes(value));
  return values.includes(actual);
}

/** The parent path of a name, in hierarchy form with a trailing `/` (`/` for a root name). */
function parentOf(name: string): string {
  const hierarchy = hierarchyName(name);
  return hierarchy.slice(0, hierarchy.lastIndexOf('/') + 1);
}

/**
 * The version of `record` the filters select (the latest, or for a Label filter the version
 * that carries the label), or undefined when they leave the parameter out.
 */
export function selectByFilters(
  record: ParameterRecord,
  filters: readonly ParameterFilter[],
): ParameterVersion | undefined {
  let selected = latest(record);
  // A Label filter picks the version the others then look at.
  const ordered = [...filters.filter((f) => f.key === 'Label'), ...filters.filter((f) => f.key !== 'Label')];
  for (const { key, option, values } of ordered) {
    switch (key) {
      case 'Name': {
        const matches =
          option === 'Contains'
            ? compare(option, record.name, values)
            : compare(option, hierarchyName(record.name), values.map(hierarchyName));
        if (!matches) return undefined;
        break;
      }
      case 'Path': {
        const parent = parentOf(record.name);
        const paths = values.map(checkPath);
        const matches =
          option === 'Recursive' ? paths.some((path) => parent.startsWith(path)) : paths.includes(parent);
        if (!matches) return undefined;
        break;
      }
      case 'Label': {
        const labelled = record.versions.find((version) =>
          version.labels.some((label) => values.includes(label)),
        );
        if (labelled === undefined) return undefined;
        selected = labelled;
        break;
      }
      case 'Type':
        if (!compare(option, selected.type, values)) return undefined;
        break;
      case 'KeyId':
        if (!compare(option, selected.keyId, values)) return undefined;
        break;
      case 'Tier':
        if (!compare(option, selected.tier, values)) return undefined;
        break;
      case 'DataType':
        if (!compare(option, selected.dataType, values)) return undefined;
        break;
      default: {
        // tag:<key>
        const tag = key.slice('tag:'.length);
        if (!compare(option, Object.hasOwn(record.tags, tag) ? record.tags[tag] : undefined, values)) {
          return undefined;
        }
      }
    }
  }
  return selected;
}
