import { ValidationError } from '../../errors';

/** One thing wrong with a template definition. */
export interface TemplateProblem {
  /** Where, from the template's root: `secrets[1].rules.length.min`; empty for the template itself. */
  readonly path: string;
  /** The name of the secret the problem is in, when it is in one (and its name is readable). */
  readonly secret: string | undefined;
  readonly message: string;
}

/** How many problems the message lists; `problems` holds them all. */
const LISTED = 5;

/**
 * A template definition (a JSON file, an object, a built-in) is not valid. `template`,
 * `secret` and `field` name the first problem; `problems` lists every one found. Messages
 * name fields and say what is allowed; they never repeat a value from the definition
 * beyond template and secret names.
 * @example
 * if (error instanceof TemplateError) for (const p of error.problems) console.error(p.path, p.message);
 */
export class TemplateError extends ValidationError {
  /** The template's name, when the definition has a readable one. */
  readonly template: string | undefined;
  /** The secret of the first problem, when it is in one. */
  readonly secret: string | undefined;
  readonly problems: readonly TemplateProblem[];

  constructor(template: string | undefined, problems: readonly TemplateProblem[], source?: string) {
    const first = problems[0]!;
    const where = [source, template === undefined ? 'template' : `template ${JSON.stringify(template)}`]
      .filter(Boolean)
      .join(', ');
    const lines = problems
      .slice(0, LISTED)
      .map(
        (problem) =>
          `${problem.secret === undefined ? '' : `secret ${JSON.stringify(problem.secret)}: `}` +
          `${problem.path === '' ? '' : `${problem.path}: `}${problem.message}`,
      );
    const more = problems.length > LISTED ? ` (and ${problems.length - LISTED} more)` : '';
    super(first.path === '' ? 'template' : first.path, `${where} is not valid: ${lines.join('; ')}${more}.`);
    this.template = template;
    this.secret = first.secret;
    this.problems = Object.freeze([...problems]);
  }

  override toJSON(): ReturnType<ValidationError['toJSON']> & {
    template?: string;
    secret?: string;
    problems: readonly TemplateProblem[];
  } {
    return {
      ...super.toJSON(),
      ...(this.template === undefined ? {} : { template: this.template }),
      ...(this.secret === undefined ? {} : { secret: this.secret }),
      problems: this.problems,
    };
  }
}
