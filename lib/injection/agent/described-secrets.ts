import type { SecretSummary, SecretVersion, SecretsClient } from '../../client';
import type { Principal } from '../../policy/principal';
import { validateSecretId, validateVersionStage, validateVersionToken } from '../../core';
import { ConflictError, isKeystageError } from '../../errors';
import type { Logger } from '../../observability';
import type { RotationWatcher } from '../watcher';
import type { SecretQuery } from './agent-request';
import type { SecretNames, SecretValue } from './agent-reply';

/** A read's answer before it is put in the Agent's shape. */
export interface AgentRead {
  readonly secret: SecretNames;
  readonly version: SecretVersion;
  readonly value: SecretValue;
}

export interface DescribedSecretsOptions {
  readonly ttlMs: number;
  readonly maxSecrets: number;
  readonly watcher: RotationWatcher | undefined;
  readonly now: () => number;
  readonly logger: Logger;
}

interface Described {
  readonly summary: Promise<SecretSummary>;
  readonly at: number;
  /** Versions known to hold `SecretBinary` (a version never changes, so this is never stale). */
  readonly binary: Set<string>;
}

/** The stage a read without a version id or stage selects, as for GetSecretValue. */
const CURRENT = 'AWSCURRENT';

/** The version a query selects, from what DescribeSecret said; undefined when it is not there. */
function selected(summary: SecretSummary, query: SecretQuery): SecretVersion | undefined {
  const { versionId, versionStage } = query;
  if (versionId !== undefined) {
    const version = summary.versions.find((candidate) => candidate.versionId === versionId);
    return version !== undefined && (versionStage === undefined || version.stages.includes(versionStage))
      ? version
      : undefined;
  }
  const stage = versionStage ?? CURRENT;
  return summary.versions.find((candidate) => candidate.stages.includes(stage));
}

/**
 * What the agent knows about the secrets it was asked for: one `describe` per secret (the
 * ARN, the name, each version's stages and date), kept for `ttlMs`, dropped as soon as the
 * rotation watcher sees AWSCURRENT move, or re-read for `refreshNow`. Values are always read
 * through the client by VersionId, so every request is a `get` to the access policy and the
 * audit trail, and the client's cache (values by VersionId never go stale) does the caching.
 */
export class DescribedSecrets {
  readonly #client: SecretsClient;
  readonly #options: DescribedSecretsOptions;
  /** By the id as asked, least recently used first. */
  readonly #entries = new Map<string, Described>();
  readonly #unwatch = new Map<string, () => void>();

  constructor(client: SecretsClient, options: DescribedSecretsOptions) {
    this.#client = client;
    this.#options = options;
  }

  /** How many secrets are described at the moment. */
  get size(): number {
    return this.#entries.size;
  }

  /** One read: the version the query selects and its value, for `principal` if given. */
  async read(query: SecretQuery, principal: Principal | undefined): Promise<AgentRead> {
    // The parameters are checked before any call, as the client checks its own arguments.
    validateSecretId(query.secretId, 'secretId');
    if (query.versionId !== undefined) validateVersionToken(query.versionId, 'versionId');
    if (query.versionStage !== undefined) validateVersionStage(query.versionStage, 'versionStage');
    const call = principal === undefined ? {} : { principal };
    const [first, fresh] = this.#described(query.secretId, query.refreshNow, call);
    let entry = first;
    let version = selected(await entry.summary, query);
    if (version === undefined && !fresh) {
      // Described before this request: a new version or a moved label may postdate it.
      [entry] = this.#described(query.secretId, true, call);
      version = selected(await entry.summary, query);
    }
    const summary = await entry.summary;
    if (version === undefined) return this.#unlisted(summary, query, call);
    return { secret: summary, version, value: await this.#value(query.secretId, version, entry, call) };
  }

  /** Forgets what is known about `secretId`, so the next read describes it again. */
  forget(secretId: string): void {
    this.#entries.delete(secretId);
  }

  /** Stops watching every secret. */
  close(): void {
    for (const unwatch of this.#unwatch.values()) unwatch();
    this.#unwatch.clear();
    this.#entries.clear();
  }

  /** What is known about a secret (described again when stale or forced), and whether this call described it. */
  #described(
    secretId: string,
    force: boolean,
    call: { readonly principal?: Principal },
  ): [entry: Described, fresh: boolean] {
    const { ttlMs, now } = this.#options;
    const known = this.#entries.get(secretId);
    if (known !== undefined) this.#entries.delete(secretId);
    if (known !== undefined && !force && now() - known.at < ttlMs) {
      this.#entries.set(secretId, known);
      return [known, false];
    }
    const entry: Described = {
      summary: this.#client.describe(secretId, call),
      at: now(),
      binary: known?.binary ?? new Set(),
    };
    this.#entries.set(secretId, entry);
    entry.summary.then(
      () => this.#watch(secretId),
      () => {
        // A failure is not remembered: the next request asks again.
        if (this.#entries.get(secretId) === entry) this.#entries.delete(secretId);
      },
    );
    this.#evict();
    return [entry, true];
  }

  #evict(): void {
    for (const secretId of this.#entries.keys()) {
      if (this.#entries.size <= this.#options.maxSecrets) break;
      this.#entries.delete(secretId);
      this.#unwatch.get(secretId)?.();
      this.#unwatch.delete(secretId);
    }
    // Secrets forgotten after a rotation and not asked for since stay watched, up to the bound.
    for (const [secretId, unwatch] of this.#unwatch) {
      if (this.#unwatch.size <= this.#options.maxSecrets) return;
      if (this.#entries.has(secretId)) continue;
      unwatch();
      this.#unwatch.delete(secretId);
    }
  }

  #watch(secretId: string): void {
    const { watcher, logger } = this.#options;
    if (watcher === undefined || this.#unwatch.has(secretId) || !this.#entries.has(secretId)) return;
    try {
      this.#unwatch.set(
        secretId,
        watcher.watch(secretId, () => this.forget(secretId)),
      );
    } catch (error) {
      // Not watched: the TTL still bounds how long a rotated secret is served stale.
      logger.warn('agent: the rotation watcher refused a secret; it is refreshed by TTL only', {
        secretId,
        code: isKeystageError(error) ? error.code : 'UNKNOWN',
      });
    }
  }

  /** The value of a version: text, or bytes for a binary secret (remembered per version). */
  async #value(
    secretId: string,
    version: SecretVersion,
    entry: Described,
    call: { readonly principal?: Principal },
  ): Promise<SecretValue> {
    const options = { ...call, versionId: version.versionId };
    if (entry.binary.has(version.versionId))
      return { binary: await this.#client.getBinary(secretId, options) };
    try {
      return { text: await this.#client.get(secretId, options) };
    } catch (error) {
      if (!isKeystageError(error, 'DECODE_ERROR')) throw error;
      const binary = await this.#client.getBinary(secretId, options).catch(() => {
        throw error;
      });
      entry.binary.add(version.versionId);
      return { binary };
    }
  }

  /**
   * A version DescribeSecret does not list: a version with no staging label (readable by its
   * VersionId, listed by neither), or one that does not exist, for which the service's own
   * error is the answer.
   */
  async #unlisted(
    summary: SecretSummary,
    query: SecretQuery,
    call: { readonly principal?: Principal },
  ): Promise<AgentRead> {
    const { secretId, versionId, versionStage } = query;
    const text = await this.#client.get(secretId, {
      ...call,
      ...(versionId === undefined ? {} : { versionId }),
      ...(versionStage === undefined ? {} : { versionStage }),
    });
    if (versionId === undefined) {
      // The label exists after all: it moved between the describe and the read.
      throw new ConflictError(
        `The version labelled ${JSON.stringify(versionStage ?? CURRENT)} of ${JSON.stringify(secretId)} ` +
          'changed while it was read: retry.',
        { secretId },
      );
    }
    const version: SecretVersion = { versionId, stages: [], createdAt: undefined, lastAccessedAt: undefined };
    return { secret: summary, version, value: { text } };
  }
}
