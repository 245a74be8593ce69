import { ValidationError } from '../../errors';

/** One reason an import refused its bundle: which secret, which field, what is wrong (never a value). */
export interface ImportProblem {
  /** The secret as the bundle names it, when the problem is about one. */
  readonly name: string | undefined;
  /** The entry's field, such as `entries[3].value` or `entries[3].manifest.tags`. */
  readonly field: string;
  readonly message: string;
}

/** Problems a message lists; `problems` has them all. */
const LISTED = 10;

/**
 * An import that wrote nothing because its bundle did not pass validation: bad names, kinds
 * or shapes, two secrets mapped to one name, a kind that conflicts with the secret already
 * there, a target scheduled for deletion. VALIDATION_ERROR (field `source`); `problems` lists
 * every one.
 * @example
 * if (error instanceof ImportRefusedError) for (const p of error.problems) console.log(p.name, p.field, p.message);
 */
export class ImportRefusedError extends ValidationError {
  readonly problems: readonly ImportProblem[];

  constructor(problems: readonly ImportProblem[]) {
    const listed = problems
      .slice(0, LISTED)
      .map(
        (problem) =>
          `${problem.name === undefined ? '' : `${JSON.stringify(problem.name)}: `}${problem.message}`,
      );
    super(
      'source',
      `The import wrote nothing: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the bundle: ` +
        `${listed.join('; ')}${problems.length > LISTED ? `; and ${problems.length - LISTED} more (see problems)` : ''}.`,
    );
    this.problems = Object.freeze([...problems]);
  }

  override toJSON(): ReturnType<ValidationError['toJSON']> & { problems: readonly ImportProblem[] } {
    return { ...super.toJSON(), problems: this.problems };
  }
}
