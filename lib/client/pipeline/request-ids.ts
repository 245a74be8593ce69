import { randomFillSync } from 'node:crypto';

/** Ids made per fill of the random buffer. */
const IDS_PER_FILL = 1024;
/** Each byte's two hex digits, as character codes. */
const HEX_PAIRS = new Uint8Array(512);
for (let byte = 0; byte < 256; byte++) {
  HEX_PAIRS[2 * byte] = '0123456789abcdef'.charCodeAt(byte >>> 4);
  HEX_PAIRS[2 * byte + 1] = '0123456789abcdef'.charCodeAt(byte & 0x0f);
}
const DASH = 0x2d;

/**
 * Request ids: random UUIDs (version 4, RFC 9562), exactly what `crypto.randomUUID()` makes,
 * 122 random bits from node:crypto's CSPRNG each. Every audited call gets one, cache hits
 * included, so they are made 1,024 at a time: one `randomFillSync` (about 3 µs whatever the
 * size up to 16 KB) and one pass writing their text into one Latin-1 string, of which an
 * id is a slice. `crypto.randomUUID` pools its randomness too but builds each id from 20
 * pieces, a rope that every later scan of the id (quoting it into an audit line) has to
 * flatten first. A slice keeps its 36 KB string alive; the ids of one fill are the calls
 * of a moment, and go with their events.
 * @example
 * const ids = new RequestIds();
 * ids.next(); // '3b241101-e2bb-4255-8caf-4136c566a962'
 */
export class RequestIds {
  readonly #random = Buffer.alloc(16 * IDS_PER_FILL);
  readonly #text = Buffer.alloc(36 * IDS_PER_FILL);
  #ids = '';
  #next = IDS_PER_FILL;

  next(): string {
    if (this.#next === IDS_PER_FILL) this.#fill();
    const at = this.#next++ * 36;
    return this.#ids.slice(at, at + 36);
  }

  #fill(): void {
    const random = this.#random;
    const text = this.#text;
    randomFillSync(random);
    let from = 0;
    let to = 0;
    for (let id = 0; id < IDS_PER_FILL; id++) {
      random[from + 6] = (random[from + 6]! & 0x0f) | 0x40; // version 4
      random[from + 8] = (random[from + 8]! & 0x3f) | 0x80; // variant 10
      for (let i = 0; i < 16; i++) {
        if (i === 4 || i === 6 || i === 8 || i === 10) text[to++] = DASH;
        const pair = random[from++]! << 1;
        text[to++] = HEX_PAIRS[pair]!;
        text[to++] = HEX_PAIRS[pair + 1]!;
      }
    }
    // The random bytes have been used: nothing of them stays behind for a later reader.
    random.fill(0);
    this.#ids = text.toString('latin1');
    this.#next = 0;
  }
}
