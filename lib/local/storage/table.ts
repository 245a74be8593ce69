/**
 * The endpoint's state is a set of tables of JSON rows. Committed rows are never changed in
 * place: a transaction edits copies, and the journal swaps them in when it commits, so a
 * failed operation or a write the disk refused leaves the committed state as it was.
 */

/** Called for every committed change of a table, and again with the roles swapped on undo. */
export type ChangeListener<T> = (key: string, before: T | undefined, after: T | undefined) => void;

export class Table<T> {
  readonly #rows = new Map<string, T>();
  readonly #listeners: ChangeListener<T>[] = [];

  /**
   * @param name the table's name on disk; stable across versions
   * @param clone a copy deep enough that editing it never touches the committed row
   * @param revive the row from its JSON on disk (rows are written with JSON.stringify, so a
   *   row kept in another form in memory writes its stored form through toJSON)
   */
  constructor(
    readonly name: string,
    readonly clone: (row: T) => T,
    readonly revive: (stored: unknown) => T = (stored) => stored as T,
  ) {}

  get size(): number {
    return this.#rows.size;
  }

  get(key: string): T | undefined {
    return this.#rows.get(key);
  }

  values(): IterableIterator<T> {
    return this.#rows.values();
  }

  entries(): IterableIterator<[string, T]> {
    return this.#rows.entries();
  }

  /** Keeps an index in step with the rows. */
  onChange(listener: ChangeListener<T>): void {
    this.#listeners.push(listener);
  }

  /** Sets or removes a row without telling listeners (loading, before indexes are built). */
  load(key: string, row: T | undefined): void {
    if (row === undefined) this.#rows.delete(key);
    else this.#rows.set(key, row);
  }

  /** Sets or removes a row and tells the listeners; returns what was there. */
  apply(key: string, row: T | undefined): T | undefined {
    const before = this.#rows.get(key);
    this.load(key, row);
    for (const listener of this.#listeners) listener(key, before, row);
    return before;
  }
}

/** A table's row as a transaction wants it: the new row, or undefined for a deletion. */
export interface Change {
  readonly table: Table<unknown>;
  readonly key: string;
  readonly row: unknown;
}

const DELETED: unique symbol = Symbol('deleted');

/**
 * The changes one operation makes, invisible to everyone else until the journal commits
 * them. Reads through the transaction see its own writes.
 */
export class Transaction {
  readonly #writes = new Map<string, { table: Table<unknown>; key: string; row: unknown }>();

  get empty(): boolean {
    return this.#writes.size === 0;
  }

  get<T>(table: Table<T>, key: string): T | undefined {
    const write = this.#writes.get(slot(table, key));
    if (write === undefined) return table.get(key);
    return write.row === DELETED ? undefined : (write.row as T);
  }

  /** A row to change in place; the copy is what commits. Undefined when there is no row. */
  edit<T>(table: Table<T>, key: string): T | undefined {
    const id = slot(table, key);
    const write = this.#writes.get(id);
    if (write !== undefined) return write.row === DELETED ? undefined : (write.row as T);
    const row = table.get(key);
    if (row === undefined) return undefined;
    const copy = table.clone(row);
    this.#writes.set(id, { table: table as unknown as Table<unknown>, key, row: copy });
    return copy;
  }

  put<T>(table: Table<T>, key: string, row: T): void {
    this.#writes.set(slot(table, key), { table: table as unknown as Table<unknown>, key, row });
  }

  delete<T>(table: Table<T>, key: string): void {
    this.#writes.set(slot(table, key), { table: table as unknown as Table<unknown>, key, row: DELETED });
  }

  /** The changes in the order they were first made. */
  changes(): Change[] {
    return [...this.#writes.values()].map(({ table, key, row }) => ({
      table,
      key,
      row: row === DELETED ? undefined : row,
    }));
  }
}

function slot(table: { readonly name: string }, key: string): string {
  return `${table.name}\u0000${key}`;
}
