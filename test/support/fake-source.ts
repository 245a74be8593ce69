import type { FetchedSecret, SecretSource } from '../../lib/cache';
import { SecretNotFoundError, type KeystageError } from '../../lib/errors';

const ACCOUNT = '123456789012';
export const arnFor = (name: string): string =>
  `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}-AbCdEf`;

/**
 * A Secrets Manager stand-in for cache tests: per-secret labels and values, every call
 * counted, failures injectable, and answers that can be held back to test concurrency.
 */
export class FakeSource implements SecretSource {
  readonly calls: Array<{ id: string; versionStage?: string; versionId?: string }> = [];
  batchCalls = 0;
  failNext: Array<() => Error> = [];
  failAlways: (() => Error) | undefined;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;
  readonly secrets = new Map<string, { versions: Map<string, string>; labels: Map<string, string> }>();
  /** Name, full ARN and partial ARN -> name. */
  readonly #names = new Map<string, string>();

  put(name: string, versionId: string, value: string, labels: string[] = ['AWSCURRENT']): void {
    const secret = this.secrets.get(name) ?? { versions: new Map(), labels: new Map() };
    secret.versions.set(versionId, value);
    for (const label of labels) secret.labels.set(label, versionId);
    this.secrets.set(name, secret);
    for (const form of [name, arnFor(name), arnFor(name).slice(0, -7)]) this.#names.set(form, name);
  }

  /** Holds every answer until `release()`. */
  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  private resolveName(id: string): string | undefined {
    return this.#names.get(id);
  }

  async fetch(id: string, selector: { versionStage?: string; versionId?: string }): Promise<FetchedSecret> {
    this.calls.push({ id, ...selector });
    if (this.#gate !== undefined) await this.#gate;
    const failure = this.failNext.shift() ?? this.failAlways;
    if (failure !== undefined) throw failure();
    const name = this.resolveName(id);
    const secret = name === undefined ? undefined : this.secrets.get(name);
    const versionId = selector.versionId ?? secret?.labels.get(selector.versionStage ?? 'AWSCURRENT');
    const value = versionId === undefined ? undefined : secret?.versions.get(versionId);
    if (name === undefined || versionId === undefined || value === undefined) {
      throw new SecretNotFoundError(`no ${id}`, { secretId: id });
    }
    return { arn: arnFor(name), name, versionId, text: value, binary: undefined };
  }

  async fetchMany(ids: readonly string[]) {
    this.batchCalls += Math.ceil(ids.length / 20);
    const values = new Map<string, FetchedSecret>();
    const errors = new Map<string, KeystageError>();
    for (const id of ids) {
      try {
        values.set(id, await this.fetch(id, {}));
      } catch (error) {
        errors.set(id, error as KeystageError);
      }
      this.calls.pop();
    }
    return { values, errors };
  }
}
