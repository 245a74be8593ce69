import { createHash, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

/** What Secrets Manager stores for a version: text (`SecretString`) or bytes (`SecretBinary`). */
export type StoredValue = { readonly SecretString: string } | { readonly SecretBinary: Uint8Array };

/**
 * One version's value in a backup record. It never shows itself: `JSON.stringify`,
 * `util.inspect` and string conversion give `[REDACTED]`, so a record, a plan or an error
 * that carries one by mistake still leaks nothing. Only the bundle codec and the restore's
 * write step take the value out, with `stored()`.
 */
export class BackupValue {
  readonly #text: string | undefined;
  readonly #binary: Uint8Array | undefined;

  private constructor(text: string | undefined, binary: Uint8Array | undefined) {
    this.#text = text;
    this.#binary = binary;
  }

  static text(value: string): BackupValue {
    return new BackupValue(value, undefined);
  }

  static binary(value: Uint8Array): BackupValue {
    return new BackupValue(undefined, Uint8Array.from(value));
  }

  /** `text` for a `SecretString`, `binary` for a `SecretBinary`. */
  get kind(): 'text' | 'binary' {
    return this.#text === undefined ? 'binary' : 'text';
  }

  /** The value's size in bytes, as Secrets Manager counts it. */
  get byteLength(): number {
    return this.#text === undefined ? this.#binary!.byteLength : Buffer.byteLength(this.#text, 'utf8');
  }

  /** The value as a PutSecretValue or CreateSecret request carries it. */
  stored(): StoredValue {
    return this.#text === undefined
      ? { SecretBinary: Uint8Array.from(this.#binary!) }
      : { SecretString: this.#text };
  }

  /** Hex SHA-256 of the value's bytes: the record's checksum of it. */
  sha256(): string {
    return createHash('sha256').update(this.#bytes()).digest('hex');
  }

  /** Same kind and same bytes, compared in constant time. */
  equals(other: BackupValue): boolean {
    if (other.kind !== this.kind) return false;
    const a = this.#bytes();
    const b = other.#bytes();
    return a.length === b.length && timingSafeEqual(a, b);
  }

  #bytes(): Buffer {
    return this.#text === undefined ? Buffer.from(this.#binary!) : Buffer.from(this.#text, 'utf8');
  }

  toJSON(): string {
    return '[REDACTED]';
  }

  toString(): string {
    return '[REDACTED]';
  }

  [inspect.custom](): string {
    return `BackupValue(${this.kind}, [REDACTED])`;
  }
}
