import type { SecretListItem, SecretsClient } from '../../client';
import {
  KEYSTAGE_TAGS,
  SECRET_KINDS,
  validateNameSegment,
  validateSecretName,
  type SecretKind,
} from '../../core';
import { ValidationError } from '../../errors';
import type { CopyRequest } from './copy-options';
import { about, skip, type PlannedCopy } from './planned-copy';
import { transformName } from './transforms';

/** A source with a place in the target. */
export interface Candidate {
  readonly item: SecretListItem;
  readonly service: string;
  /** The target's name within its service (transformed). */
  readonly name: string;
  /** The target's full name. */
  readonly target: string;
  readonly kind: SecretKind;
  readonly regenerate: boolean;
}

/** The service segment, if it is one. */
function serviceSegment(segment: string): string | undefined {
  try {
    return validateNameSegment(segment, 'service');
  } catch {
    return undefined;
  }
}

/** The sources, in name order, each placed in the target or skipped with its reason. */
export async function classifySources(
  client: SecretsClient,
  request: CopyRequest,
): Promise<{ readonly candidates: Candidate[]; readonly skipped: PlannedCopy[] }> {
  const { from, to, services, transforms } = request;
  const only = services?.size === 1 ? { service: [...services][0]! } : {};
  // `services` says which services are copied, not the client's scope (scoped: false).
  const items: SecretListItem[] = [];
  for await (const item of client.list({ environment: from, ...only, scoped: false, ...request.call }))
    items.push(item);
  items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const candidates: Candidate[] = [];
  const skipped: PlannedCopy[] = [];
  for (const item of items) {
    const rest = item.name.startsWith(`${from}/`) ? item.name.slice(from.length + 1) : '';
    const slash = rest.indexOf('/');
    const service = slash > 0 ? serviceSegment(rest.slice(0, slash)) : undefined;
    if (service === undefined || slash === rest.length - 1) {
      skipped.push(skip(item, undefined, undefined, 'outside-environment'));
      continue;
    }
    if (services !== undefined && !services.has(service)) continue;
    const name = transformName(transforms, rest.slice(slash + 1));
    const target = `${to}/${service}/${name}`;
    try {
      validateSecretName(target, transforms.names.length === 0 ? 'to' : 'transform');
    } catch (error) {
      throw about(item.name, target, error);
    }
    const regenerate = request.regenerate.some((glob) => glob.matches(rest));
    if (request.exclude.some((glob) => glob.matches(rest))) {
      skipped.push(skip(item, service, target, 'excluded', regenerate));
      continue;
    }
    if (item.keystage.status === 'revoked') {
      skipped.push(skip(item, service, target, 'source-revoked', regenerate));
      continue;
    }
    const typed = item.tags[KEYSTAGE_TAGS.type];
    if (typed !== undefined && !SECRET_KINDS.includes(typed as SecretKind)) {
      skipped.push(skip(item, service, target, 'unknown-kind', regenerate));
      continue;
    }
    // A secret keystage did not create carries no kind: it is copied as a generic one.
    const kind = (typed as SecretKind | undefined) ?? 'generic';
    candidates.push({ item, service, name, target, kind, regenerate });
  }

  const seen = new Map<string, string>();
  for (const { item, target } of candidates) {
    const other = seen.get(target);
    if (other !== undefined) {
      throw new ValidationError(
        'transform',
        `Secrets ${JSON.stringify(other)} and ${JSON.stringify(item.name)} would both be copied to ${JSON.stringify(target)}: ` +
          'change the transforms or exclude one of them.',
        { secretId: item.name },
      );
    }
    seen.set(target, item.name);
  }
  return { candidates, skipped };
}
