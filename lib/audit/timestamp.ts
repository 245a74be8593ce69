/**
 * Formats epoch milliseconds as ISO-8601 UTC with milliseconds (`2026-05-01T12:00:00.042Z`),
 * the format of every event's `timestamp`. Every read is audited, so this runs on the read
 * path: formatting a `Date` costs several hundred nanoseconds, reusing the current second's
 * prefix a few, and reads within one millisecond get the very same string, which the chain
 * then recognises at a glance (see `AuditChain.seal`). Each user keeps its own formatter, so
 * there is no module state.
 * @example
 * new IsoTimestamps().format(0); // '1970-01-01T00:00:00.000Z'
 */
export class IsoTimestamps {
  #second = Number.NaN;
  #prefix = '';
  #millisecond = Number.NaN;
  #last = '';

  format(time: number): string {
    const ms = Math.floor(time);
    if (ms === this.#millisecond) return this.#last;
    const second = Math.floor(ms / 1000);
    if (second !== this.#second) {
      const iso = new Date(second * 1000).toISOString();
      // Years outside 0000..9999 have a longer form; they are formatted whole, never cached.
      if (iso.length !== 24) return new Date(ms).toISOString();
      this.#second = second;
      this.#prefix = iso.slice(0, 20);
    }
    const millis = ms - second * 1000;
    this.#millisecond = ms;
    this.#last = `${this.#prefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
    return this.#last;
  }
}
