import { KeystageError } from '../errors';
import { auditEventHash } from './audit-chain';
import { GENESIS_PREV, type AuditEvent } from './audit-event';
import { checkpointFacts, checkpointMessage, type CheckpointVerifier } from './checkpoint';

/** What is wrong at one place in a trail. */
export type AuditTrailProblemKind = 'deleted' | 'inserted' | 'reordered' | 'altered' | 'bad_checkpoint';

export interface AuditTrailProblem {
  readonly kind: AuditTrailProblemKind;
  /**
   * Where, as an index into the events given: the event itself, or for `deleted` the event
   * that follows the gap (the array's length when the gap is at the end).
   */
  readonly index: number;
  /** The event's seq; for `deleted`, the first seq missing. */
  readonly seq: number | undefined;
  /** For `deleted`: the seqs missing, both ends included. */
  readonly missing?: { readonly from: number; readonly to: number };
  readonly message: string;
}

export interface AuditTrailReport {
  /** True when no problem was found. */
  readonly valid: boolean;
  readonly events: number;
  /** Checkpoints whose MAC verified and whose head matches the trail. */
  readonly verifiedCheckpoints: number;
  /** The last seq a verified checkpoint covers; undefined without one (or without a verifier). */
  readonly signedThroughSeq: number | undefined;
  /**
   * Events after `signedThroughSeq` (checkpoints not counted): what a rewrite of the whole
   * chain could have changed without a trace. A tail that grows past the checkpoint interval
   * means checkpoints stopped, or were removed.
   */
  readonly unsignedEvents: number;
  /** In index order. */
  readonly problems: readonly AuditTrailProblem[];
}

export interface VerifyAuditTrailOptions {
  /**
   * Checks checkpoint MACs: the checkpoint key (`kmsMacCheckpoints`, `kmsDataKeyCheckpoints`,
   * `hmacCheckpoints`) or anything that verifies the same way.
   * @default - MACs are not checked: no checkpoint counts as verified
   */
  readonly verifier?: CheckpointVerifier;
  /**
   * The events are a window of a longer stream (a time range read back): the first event
   * need not be seq 1, and checkpoints covering events before the window are checked by MAC only.
   * @default false
   */
  readonly partial?: boolean;
}

/** One event's link to the event before it in the array. */
interface Link {
  /** The array index of the event its `prev` names; -1 for the genesis; undefined when none. */
  readonly to: number | undefined;
  /** `to` exists and this event's seq follows it: a link the writer made. */
  readonly genuine: boolean;
  readonly ok: boolean;
}

function isEvent(value: unknown): value is AuditEvent {
  const event = value as Partial<AuditEvent> | null;
  return (
    typeof event === 'object' &&
    event !== null &&
    typeof event.seq === 'number' &&
    Number.isSafeInteger(event.seq) &&
    typeof event.prev === 'string'
  );
}

/** Indexes (into `seqs`) of one longest strictly increasing subsequence, in O(n log n). */
function longestIncreasing(seqs: readonly number[]): Set<number> {
  const tails: number[] = [];
  const parent = new Array<number>(seqs.length).fill(-1);
  for (let i = 0; i < seqs.length; i++) {
    let low = 0;
    let high = tails.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (seqs[tails[mid]!]! < seqs[i]!) low = mid + 1;
      else high = mid;
    }
    if (low > 0) parent[i] = tails[low - 1]!;
    tails[low] = i;
  }
  const kept = new Set<number>();
  for (let i = tails.at(-1) ?? -1; i !== -1; i = parent[i]!) kept.add(i);
  return kept;
}

/**
 * Checks one stream's events, in the order it stores them, against their hash chain and
 * signed checkpoints, and says what was deleted, inserted, reordered or altered, and where.
 * A single change is located exactly (an adjacent swap names one of the two events); several
 * changes are each reported, though one may mask where another is. What the chain cannot
 * show is said too: events after the last verified checkpoint (`unsignedEvents`) could have
 * been rewritten together with every link after them, and events removed from the end leave
 * no gap until a checkpoint covers them.
 * @example
 * const events = lines.map((line) => JSON.parse(line) as AuditEvent);
 * const report = await verifyAuditTrail(events, { verifier: kmsMacCheckpoints({ keyId }) });
 * for (const problem of report.problems) logger.error('audit trail', { ...problem });
 */
export async function verifyAuditTrail(
  events: readonly AuditEvent[],
  options: VerifyAuditTrailOptions = {},
): Promise<AuditTrailReport> {
  const problems: AuditTrailProblem[] = [];
  const partial = options.partial ?? false;

  // Events that are not events at all, and exact copies, come out before the chain is read.
  const hashes: string[] = events.map((event: unknown) => (isEvent(event) ? auditEventHash(event) : ''));
  const occurrences = new Map<string, number[]>();
  hashes.forEach((hash, index) => {
    if (hash === '') return;
    const seen = occurrences.get(hash);
    if (seen === undefined) occurrences.set(hash, [index]);
    else seen.push(index);
  });
  /** Of several copies, the one in the chain's place: its prev names the event before it. */
  const original = (copies: readonly number[]): number =>
    copies.find((index) => events[index]!.prev === (index === 0 ? GENESIS_PREV : hashes[index - 1])) ??
    copies[0]!;
  const kept: number[] = [];
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    if (hashes[index] === '') {
      problems.push({
        kind: 'altered',
        index,
        seq: undefined,
        message: `Event ${index} has no seq or prev.`,
      });
      continue;
    }
    const copies = occurrences.get(hashes[index]!)!;
    const chosen = copies.length === 1 ? index : original(copies);
    if (chosen !== index) {
      problems.push({
        kind: 'inserted',
        index,
        seq: event.seq,
        message: `Event ${index} (seq ${event.seq}) is a copy of event ${chosen}.`,
      });
      continue;
    }
    kept.push(index);
  }

  const at = (k: number): AuditEvent => events[kept[k]!]!;
  const hashAt = (k: number): string => hashes[kept[k]!]!;
  const position = new Map<string, number>();
  kept.forEach((index, k) => position.set(hashes[index]!, k));
  const referenced = new Set<string>();
  for (let k = 0; k < kept.length; k++) referenced.add(at(k).prev);

  const links: Link[] = kept.map((_, k) => {
    const event = at(k);
    const to = event.prev === GENESIS_PREV ? -1 : position.get(event.prev);
    const toSeq = to === undefined ? undefined : to === -1 ? 0 : at(to).seq;
    const genuine = toSeq !== undefined && event.seq === toSeq + 1;
    const ok = k === 0 ? partial || (to === -1 && event.seq === 1) : genuine && to === k - 1;
    return { to, genuine, ok };
  });

  const inserted = new Set<number>();
  let misplaced = false;
  // Problems found from links, with the link (kept position) each came from.
  const linkProblems: AuditTrailProblem[] = [];
  const origins: number[] = [];
  const add = (k: number, problem: AuditTrailProblem): void => {
    linkProblems.push(problem);
    origins.push(k);
  };
  /** The last `altered` found from a link to nothing, which the next such link may move. */
  let unlinked: { problem: number; k: number } | undefined;
  for (let k = 0; k < kept.length; k++) {
    const link = links[k]!;
    if (link.ok) continue;
    const event = at(k);
    const previous = k > 0 ? at(k - 1) : undefined;
    if (link.genuine) {
      const before = k - 1;
      const beforeLink = links[before];
      // The event before this one is in the way: nobody follows it, and it is not a moved
      // event of the chain (whose own link would name an event elsewhere).
      const inTheWay =
        before >= 0 &&
        link.to === k - 2 &&
        !referenced.has(hashAt(before)) &&
        !(beforeLink!.genuine && beforeLink!.to !== k - 2);
      if (inTheWay) {
        inserted.add(before);
        const index = kept[before]!;
        // The inserted event may have broken its own link first: that is this same problem.
        while (origins.length > 0 && origins.at(-1) === before) {
          origins.pop();
          linkProblems.pop();
        }
        if (unlinked !== undefined && unlinked.problem >= linkProblems.length) unlinked = undefined;
        add(k, {
          kind: 'inserted',
          index,
          seq: at(before).seq,
          message: `Event ${index} (seq ${at(before).seq}) is not part of the chain: the event after it follows the one before it.`,
        });
      } else {
        misplaced = true;
      }
      continue;
    }
    if (link.to !== undefined) {
      add(k, {
        kind: 'altered',
        index: kept[k]!,
        seq: event.seq,
        message: `Event ${kept[k]!} (seq ${event.seq}) follows the event its prev names, but its seq does not.`,
      });
      continue;
    }
    // Its prev names no event of the trail.
    const last = linkProblems.length - 1;
    if (k > 0 && origins[last] === k - 1 && linkProblems[last]!.index === kept[k - 1]) {
      // The event before was found changed already: that is why its hash is not this prev.
      continue;
    }
    if (unlinked !== undefined && unlinked.k === k - 1) {
      // Two broken links in a row around one event: its own prev was changed.
      const index = kept[k - 1]!;
      linkProblems[unlinked.problem] = {
        kind: 'altered',
        index,
        seq: at(k - 1).seq,
        message: `Event ${index} (seq ${at(k - 1).seq}) was changed: neither link around it holds.`,
      };
      origins[unlinked.problem] = k - 1;
      unlinked = undefined;
      continue;
    }
    const expected = previous === undefined ? 1 : previous.seq + 1;
    if (event.seq > expected) {
      add(k, {
        kind: 'deleted',
        index: kept[k]!,
        seq: expected,
        missing: { from: expected, to: event.seq - 1 },
        message:
          expected === event.seq - 1
            ? `Seq ${expected} is missing before event ${kept[k]!}.`
            : `Seqs ${expected} to ${event.seq - 1} are missing before event ${kept[k]!}.`,
      });
      continue;
    }
    if (event.seq === expected && previous !== undefined) {
      // The event before changed (its hash is not what this one recorded), unless this
      // event's own prev changed, which the next link then shows too.
      const index = kept[k - 1]!;
      unlinked = { problem: linkProblems.length, k };
      add(k, {
        kind: 'altered',
        index,
        seq: previous.seq,
        message: `Event ${index} (seq ${previous.seq}) was changed: the next event recorded a different hash for it.`,
      });
      continue;
    }
    add(k, {
      kind: 'altered',
      index: kept[k]!,
      seq: event.seq,
      message: `Event ${kept[k]!} (seq ${event.seq}) does not link to any event of the trail.`,
    });
  }

  problems.push(...linkProblems);

  if (misplaced) {
    // Links that hold but join events in the wrong places: the events outside the longest
    // run in seq order are the ones moved.
    const order = kept.map((_, k) => k).filter((k) => !inserted.has(k));
    const inOrder = longestIncreasing(order.map((k) => at(k).seq));
    order.forEach((k, i) => {
      if (inOrder.has(i)) return;
      problems.push({
        kind: 'reordered',
        index: kept[k]!,
        seq: at(k).seq,
        message: `Event ${kept[k]!} (seq ${at(k).seq}) is out of place.`,
      });
    });
  }

  // Checkpoints: the head they name must be the trail's, and their MAC must verify.
  const bySeq = new Map<number, number>();
  for (let k = 0; k < kept.length; k++) if (!bySeq.has(at(k).seq)) bySeq.set(at(k).seq, k);
  const firstSeq = kept.length > 0 ? at(0).seq : 0;
  let verifiedCheckpoints = 0;
  let signedThroughSeq: number | undefined;
  for (let k = 0; k < kept.length; k++) {
    const event = at(k);
    if (event.event_type !== 'audit_checkpoint' || inserted.has(k)) continue;
    const index = kept[k]!;
    const bad = (message: string): void => {
      problems.push({ kind: 'bad_checkpoint', index, seq: event.seq, message });
    };
    const facts = checkpointFacts(event);
    if (facts === undefined) {
      bad(`Checkpoint ${index} (seq ${event.seq}) does not carry a checkpoint's details.`);
      continue;
    }
    const covered = bySeq.get(facts.coversSeq);
    if (covered === undefined) {
      if (!(partial && facts.coversSeq < firstSeq)) {
        bad(`Checkpoint ${index} covers seq ${facts.coversSeq}, which is not in the trail.`);
        continue;
      }
    } else if (hashAt(covered) !== facts.head) {
      bad(
        `Checkpoint ${index} signed a different chain: events up to seq ${facts.coversSeq} were rewritten after it.`,
      );
      continue;
    }
    if (options.verifier === undefined) continue;
    let verified: boolean;
    try {
      verified = await options.verifier.verify({
        keyId: facts.keyId,
        message: checkpointMessage({ seq: facts.coversSeq, hash: facts.head }, facts.keyId),
        mac: facts.mac,
        details: event.details ?? {},
      });
    } catch (error) {
      bad(
        `Checkpoint ${index}'s MAC could not be checked (${error instanceof KeystageError ? error.code : 'UNKNOWN'}).`,
      );
      continue;
    }
    if (!verified) {
      bad(
        `Checkpoint ${index} (seq ${event.seq}) has a MAC that does not verify under key ${JSON.stringify(facts.keyId)}.`,
      );
      continue;
    }
    verifiedCheckpoints++;
    signedThroughSeq = Math.max(signedThroughSeq ?? 0, facts.coversSeq);
  }

  let unsignedEvents = 0;
  for (let k = 0; k < kept.length; k++) {
    const event = at(k);
    if (
      event.event_type !== 'audit_checkpoint' &&
      (signedThroughSeq === undefined || event.seq > signedThroughSeq)
    ) {
      unsignedEvents++;
    }
  }

  problems.sort((a, b) => a.index - b.index);
  return {
    valid: problems.length === 0,
    events: events.length,
    verifiedCheckpoints,
    signedThroughSeq,
    unsignedEvents,
    problems,
  };
}
