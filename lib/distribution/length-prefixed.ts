import { SecretDecodeError } from '../errors';

/**
 * The canonical byte encoding distribution signs and MACs: each field is a 4-byte big-endian
 * length followed by its bytes; text is UTF-8, integers are 8-byte big-endian unsigned. A
 * sequence of fields has exactly one encoding, and a reader that wants N fields refuses
 * fewer, more, or trailing bytes, so two different field lists never share bytes.
 */

/** A field: text (UTF-8), bytes, or a non-negative safe integer (8 bytes). */
export type Field = string | Uint8Array | number;

function fieldBytes(field: Field): Uint8Array {
  if (typeof field === 'string') return Buffer.from(field, 'utf8');
  if (typeof field === 'number') {
    const out = Buffer.alloc(8);
    out.writeBigUInt64BE(BigInt(field));
    return out;
  }
  return field;
}

/**
 * The fields, length-prefixed and concatenated.
 * @example
 * lengthPrefixed(['keystage', 1]); // 00000008 6b657973746167 65 00000008 0000000000000001
 */
export function lengthPrefixed(fields: readonly Field[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const field of fields) {
    const body = fieldBytes(field);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    parts.push(length, body);
  }
  return Buffer.concat(parts);
}

/** Reads length-prefixed fields back, strictly. */
export class FieldReader {
  #offset = 0;
  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
  ) {}

  private fail(): never {
    throw new SecretDecodeError(`${this.what} is malformed: it was changed or truncated.`);
  }

  bytes(exactLength?: number): Buffer {
    if (this.#offset + 4 > this.data.length) this.fail();
    const view = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    const length = view.readUInt32BE(this.#offset);
    const start = this.#offset + 4;
    if (start + length > this.data.length) this.fail();
    if (exactLength !== undefined && length !== exactLength) this.fail();
    this.#offset = start + length;
    return Buffer.from(view.subarray(start, start + length));
  }

  text(): string {
    const raw = this.bytes();
    const text = raw.toString('utf8');
    // Invalid UTF-8 would decode to U+FFFD and re-encode differently: not canonical.
    if (!Buffer.from(text, 'utf8').equals(raw)) this.fail();
    return text;
  }

  integer(): number {
    const value = this.bytes(8).readBigUInt64BE();
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail();
    return Number(value);
  }

  /** Refuses bytes left over. */
  end(): void {
    if (this.#offset !== this.data.length) this.fail();
  }
}

/**
 * Unpadded base64url, decoded strictly: only the alphabet, and only the one canonical
 * spelling of the bytes (Node's decoder ignores stray characters and unused low bits,
 * which would let a changed string decode to the same bytes).
 * @example
 * strictBase64url('AQID', 'envelope'); // <Buffer 01 02 03>
 */
export function strictBase64url(text: string, what: string): Buffer {
  const decoded = /^[A-Za-z0-9_-]*$/.test(text) ? Buffer.from(text, 'base64url') : undefined;
  if (decoded === undefined || decoded.toString('base64url') !== text) {
    throw new SecretDecodeError(`${what} is malformed: it was changed or truncated.`);
  }
  return decoded;
}
