import type { CompiledRule } from './policy-rule';
import { POLICY_OPERATIONS, type PolicyOperation } from './operations';

/**
 * Which rules may apply to a request, as a bitset over the policy's rules (bit i is the
 * rule at index i), so that a policy of a thousand rules costs a few dozen word operations
 * and tests the patterns of a handful. Each condition a rule can state is a set per value:
 * the rules for an operation, for a service (rules naming it, and rules naming none), an
 * environment, a role; the sets of a request are intersected. Secret patterns sit in a
 * trie over the literal segments they start with (`prod/billing/**` at prod → billing,
 * `prod/*` at prod, `**` at the root): a name can only match patterns whose literal start
 * it begins with, so only the rules along its own path are candidates. Patterns and
 * addresses are then tested on the candidates alone.
 */

interface TrieNode {
  /** Rules one of whose patterns starts with exactly the literal segments of this node. */
  readonly rules: number[];
  readonly children: Map<string, TrieNode>;
}

const trieNode = (): TrieNode => ({ rules: [], children: new Map() });

/** A condition as sets: per value, the rules naming it or not stating the condition. */
class ConditionSets {
  private readonly byValue = new Map<string, Uint32Array>();
  /** Rules without the condition: they match every value, known or not. */
  readonly unconditioned: Uint32Array;

  constructor(
    rules: readonly CompiledRule[],
    words: number,
    values: (rule: CompiledRule) => ReadonlySet<string> | undefined,
  ) {
    this.unconditioned = new Uint32Array(words);
    for (const rule of rules) {
      const named = values(rule);
      if (named === undefined) {
        setBit(this.unconditioned, rule.index);
        continue;
      }
      for (const value of named) {
        let set = this.byValue.get(value);
        if (set === undefined) this.byValue.set(value, (set = new Uint32Array(words)));
        setBit(set, rule.index);
      }
    }
    // A named value's set also holds the unconditioned rules, so a lookup is one set.
    for (const set of this.byValue.values())
      for (let w = 0; w < words; w++) set[w]! |= this.unconditioned[w]!;
  }

  /** The rules `value` satisfies. */
  of(value: string): Uint32Array {
    return this.byValue.get(value) ?? this.unconditioned;
  }

  /** The rules naming `value` (and the unconditioned ones), or undefined when none names it. */
  named(value: string): Uint32Array | undefined {
    return this.byValue.get(value);
  }
}

function setBit(set: Uint32Array, index: number): void {
  set[index >>> 5]! |= 1 << (index & 31);
}

/** The candidate rules of requests against one policy. */
export class RuleIndex {
  /** Words in a set: one bit per rule. */
  readonly words: number;
  /** The deny rules. */
  readonly denies: Uint32Array;
  private readonly operations: readonly Uint32Array[];
  private readonly services: ConditionSets;
  private readonly environments: ConditionSets;
  private readonly roles: ConditionSets;
  private readonly trie = trieNode();
  /** The answer of the last lookup; evaluation is synchronous, so one buffer serves every call. */
  private readonly scratch: Uint32Array;
  private readonly held: Uint32Array;

  constructor(rules: readonly CompiledRule[]) {
    const words = Math.max(1, Math.ceil(rules.length / 32));
    this.words = words;
    this.scratch = new Uint32Array(words);
    this.held = new Uint32Array(words);
    this.denies = new Uint32Array(words);
    this.operations = POLICY_OPERATIONS.map(() => new Uint32Array(words));
    for (const rule of rules) {
      if (rule.effect === 'deny') setBit(this.denies, rule.index);
      POLICY_OPERATIONS.forEach((_, bit) => {
        if ((rule.operations & (1 << bit)) !== 0) setBit(this.operations[bit]!, rule.index);
      });
      const placed = new Set<TrieNode>();
      for (const glob of rule.globs) {
        let at = this.trie;
        for (const segment of glob.segments) {
          if (segment.includes('*')) break;
          let child = at.children.get(segment);
          if (child === undefined) at.children.set(segment, (child = trieNode()));
          at = child;
        }
        if (!placed.has(at)) at.rules.push(rule.index);
        placed.add(at);
      }
    }
    this.services = new ConditionSets(rules, words, (rule) => rule.services);
    this.environments = new ConditionSets(rules, words, (rule) => rule.environments);
    this.roles = new ConditionSets(rules, words, (rule) => rule.roles);
  }

  /**
   * The rules whose operation, service, environment, roles and literal pattern start fit
   * the request; patterns and addresses are left to the caller. The set is valid until the
   * next call. `operation` is the position in POLICY_OPERATIONS.
   */
  candidates(
    operation: number,
    service: string,
    environment: string,
    roles: readonly string[],
    segments: readonly string[],
  ): Uint32Array {
    const out = this.scratch;
    out.fill(0);
    let at: TrieNode | undefined = this.trie;
    for (let depth = 0; at !== undefined; depth++) {
      for (const index of at.rules) out[index >>> 5]! |= 1 << (index & 31);
      at = depth < segments.length ? at.children.get(segments[depth]!) : undefined;
    }
    const ops = this.operations[operation]!;
    const services = this.services.of(service);
    const environments = this.environments.of(environment);
    // Most callers hold one role or none; more are or'ed into a second buffer first.
    let held = this.roles.unconditioned;
    if (roles.length === 1) {
      held = this.roles.of(roles[0]!);
    } else if (roles.length > 1) {
      held = this.held;
      held.set(this.roles.unconditioned);
      for (const role of roles) {
        const set = this.roles.named(role);
        if (set !== undefined) for (let w = 0; w < this.words; w++) held[w]! |= set[w]!;
      }
    }
    for (let w = 0; w < this.words; w++) {
      out[w] = out[w]! & ops[w]! & services[w]! & environments[w]! & held[w]!;
    }
    return out;
  }
}

/** The position of `operation` in POLICY_OPERATIONS, or -1 for anything else. */
export function operationIndex(operation: PolicyOperation): number {
  return POLICY_OPERATIONS.indexOf(operation);
}
