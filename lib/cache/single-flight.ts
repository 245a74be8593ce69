/**
 * Concurrent calls for one key share one promise: the first starts the work, the others
 * wait for it, and the key is free again once it settles (success or failure: nothing is
 * remembered, so an error is never cached).
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  run(key: string, start: () => Promise<T>): Promise<T> {
    const running = this.#inFlight.get(key);
    if (running !== undefined) return running;
    const work = start().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, work);
    return work;
  }
}
