/**
 * Runs tasks one at a time per key, in arrival order. The distributor redeems one
 * distribution's uses in turn inside a process, so concurrent opens do not all race for the
 * same record version (each loser costing a write); across processes the record's
 * compare-and-swap still decides. A key's entry is dropped when its last task settles.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with tasks queued or running. */
  get size(): number {
    return this.#tails.size;
  }
}
