/**
 * At most `limit` tasks at a time. `run` waits for a free slot, so a producer that awaits it
 * holds no more than `limit` tasks' data in memory. After a task fails no new one starts:
 * `run` throws the first failure, and `drain` waits for those in flight, then throws it.
 * @example
 * const pool = new TaskPool(4);
 * for await (const group of groups) await pool.run(() => write(group));
 * await pool.drain();
 */
export class TaskPool {
  readonly #limit: number;
  readonly #running = new Set<Promise<void>>();
  #failure: { readonly error: unknown } | undefined;

  constructor(limit: number) {
    this.#limit = limit;
  }

  async run(task: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.#limit && this.#failure === undefined)
      await Promise.race(this.#running);
    if (this.#failure !== undefined) throw this.#failure.error;
    const running: Promise<void> = task()
      .catch((error: unknown) => {
        this.#failure ??= { error };
      })
      .finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.race(this.#running);
    if (this.#failure !== undefined) throw this.#failure.error;
  }
}
