/**
 * Which secrets were invalidated since a read started, so a read that may have fetched what
 * an invalidation was about (a rotation, a write through this client) is answered but not
 * kept, while reads of every other secret are kept as usual.
 *
 * A read takes `token()` when it starts and asks `overtaken(family, token)` before storing.
 * Only the most recent invalidations are remembered (LIMIT families); a read older than the
 * oldest one forgotten is treated as overtaken, which is safe (it is merely not kept).
 */
const LIMIT = 1024;

export class InvalidationLog {
  /** Bumped by every invalidation; a read's token is its value when the read started. */
  #sequence = 0;
  /** Family -> sequence number of its latest invalidation, oldest first. */
  readonly #latest = new Map<string, number>();
  /** Reads that started before this were overtaken by something no longer in `#latest`. */
  #floor = 0;

  token(): number {
    return this.#sequence;
  }

  invalidate(family: string): void {
    this.#latest.delete(family);
    this.#latest.set(family, ++this.#sequence);
    if (this.#latest.size > LIMIT) {
      const [oldest, sequence] = this.#latest.entries().next().value as [string, number];
      this.#latest.delete(oldest);
      this.#floor = sequence;
    }
  }

  /** Everything started before now is overtaken (clear, close). */
  invalidateAll(): void {
    this.#latest.clear();
    this.#floor = ++this.#sequence;
  }

  overtaken(family: string, token: number): boolean {
    return token < this.#floor || (this.#latest.get(family) ?? 0) > token;
  }
}
