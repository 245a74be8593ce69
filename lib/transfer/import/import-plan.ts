import type { SecretsClient } from '../../client/secrets-client';
import type { BundleReader } from '../bundle';
import { TaskPool } from '../task-pool';
import { FingerprintSet, Fingerprints } from './fingerprints';
import type { ImportProblem } from './import-error';
import { PlanLog, type SecretDecision } from './plan-log';
import { SecretGroup, checkedEntry, targetOf, type ImportSettings } from './secret-group';
import { decisionOf, lookUp } from './target-lookup';

export interface ImportPlan {
  /** Per secret in bundle order: its fingerprint and what to do. */
  readonly log: PlanLog;
  /** The key of the fingerprints, for pass 2 to compute the same ones. */
  readonly fingerprints: Fingerprints;
  readonly problems: readonly ImportProblem[];
  readonly entries: number;
}

/** Lookups of targets in flight during pass 1 (reads only). */
const LOOKUPS_IN_FLIGHT = 8;

function skipped(skip: 'map' | 'encrypted-json'): SecretDecision {
  return { action: 'skipped', skip, versions: 0, same: false, retag: 0n, resumed: false };
}

/**
 * Pass 1: reads the whole bundle (authenticating it to the end), checks every entry (its
 * manifest, its value against the checksum and, with `validate`, against its kind's shape),
 * groups the versions by secret, maps names, and looks each target up. Writes nothing.
 *
 * Memory: one entry's value at a time, the secrets being looked up (8), and per secret of
 * the bundle only what pass 2 cannot get again: 21 bytes in the plan log, and 11 to 21 in
 * the set of target fingerprints that finds two secrets mapped to one name. Pass 2 reads the
 * rest from the bundle again (the same fingerprint proves it is the same), so a plan of
 * 10^5 secrets takes 4.2 MB at most, not the 90 MB it took as objects.
 */
export async function planImport(
  client: SecretsClient,
  reader: BundleReader,
  settings: ImportSettings,
): Promise<ImportPlan> {
  const problems: ImportProblem[] = [];
  const log = new PlanLog();
  const fingerprints = new Fingerprints();
  const targets = new FingerprintSet();
  /** Targets whose fingerprint was there already: most likely two secrets mapped to one name. */
  const suspects = new Set<string>();
  const lookups = new TaskPool(LOOKUPS_IN_FLIGHT);
  let group: SecretGroup | undefined;
  let index = 0;

  const finish = async (done: SecretGroup): Promise<void> => {
    const position = log.add(done.fingerprint());
    const { secret } = done;
    if (secret.target === null || secret.kind === 'encrypted-json') {
      log.decide(position, skipped(secret.target === null ? 'map' : 'encrypted-json'));
      return;
    }
    await lookups.run(async () => {
      await lookUp(client, done, settings, problems);
      log.decide(position, decisionOf(done, settings));
    });
  };

  for await (const entry of reader.entries()) {
    const field = `entries[${index}]`;
    const manifest = checkedEntry(entry, field, settings, problems);
    if (manifest === undefined) {
      index++;
      continue;
    }
    if (group === undefined || manifest.name !== group.secret.source) {
      if (group !== undefined) await finish(group);
      const target = targetOf(settings, manifest.name, problems);
      group = new SecretGroup(manifest, target, fingerprints);
      if (!manifest.stages.includes('AWSCURRENT')) {
        problems.push({
          name: manifest.name,
          field: `${field}.manifest.stages`,
          message: 'the first version of a secret must be its AWSCURRENT one',
        });
      }
      if (target !== null && !targets.add(fingerprints.of('target', target))) suspects.add(target);
    } else if (manifest.stages.includes('AWSCURRENT')) {
      problems.push({
        name: manifest.name,
        field: `${field}.manifest.stages`,
        message: 'a secret has two AWSCURRENT versions',
      });
    }
    group.add(manifest);
    index++;
  }
  if (group !== undefined) await finish(group);
  await lookups.drain();
  if (suspects.size > 0) problems.push(...(await sharedTargets(reader, settings, suspects)));
  return { log, fingerprints, problems, entries: index };
}

/**
 * A third read, only when a target's fingerprint came twice: which secrets go to each such
 * target, by name. Two secrets mapped to one name, or one secret whose versions are not
 * together (it maps to its own name twice), are problems; two different targets that share
 * a fingerprint (a chance of about n^2 / 2^65 for n secrets) are none.
 */
async function sharedTargets(
  reader: BundleReader,
  settings: ImportSettings,
  suspects: ReadonlySet<string>,
): Promise<ImportProblem[]> {
  const problems: ImportProblem[] = [];
  const reported: ImportProblem[] = [];
  const owners = new Map<string, string[]>();
  let source: string | undefined;
  let index = 0;
  for await (const entry of reader.entries()) {
    const field = `entries[${index}]`;
    index++;
    // The same checks as pass 1, so the same entries count; pass 1 reported their problems.
    const manifest = checkedEntry(entry, field, settings, reported);
    if (manifest === undefined || manifest.name === source) continue;
    source = manifest.name;
    const target = targetOf(settings, source, reported);
    if (target === null || !suspects.has(target)) continue;
    const earlier = owners.get(target) ?? [];
    if (earlier.includes(source)) {
      problems.push({ name: source, field, message: "the secret's versions are not together in the bundle" });
    } else if (earlier.length > 0) {
      problems.push({
        name: source,
        field: 'map',
        message: `${JSON.stringify(earlier[earlier.length - 1])} and ${JSON.stringify(source)} both go to ${JSON.stringify(target)}`,
      });
    }
    earlier.push(source);
    owners.set(target, earlier);
  }
  return problems;
}
