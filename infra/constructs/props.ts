import { Duration, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ValidationError } from '../../lib/errors';

/**
 * A construct was given props it cannot work with. Thrown at the top of the constructor (or the
 * factory), before any resource is created; the message names the prop and the value received.
 * A `ValidationError` (code `VALIDATION_ERROR`) whose `field` is the prop, like
 * `schedule.window`; `construct` says whose prop it is.
 * @example
 * try {
 *   new SecretRotation(stack, 'Rotation', props);
 * } catch (error) {
 *   if (error instanceof InfraPropsError && error.field === 'schedule.window') useDefaultWindow();
 *   else throw error;
 * }
 */
export class InfraPropsError extends ValidationError {
  /** The construct (or factory, or config file) whose prop is wrong: `SecretRotation`. */
  readonly construct: string;
  /** The prop, the same as `field`: `schedule.window`. */
  readonly prop: string;

  constructor(construct: string, prop: string, message: string) {
    super(prop, `${construct}: ${prop} ${message}`);
    this.construct = construct;
    this.prop = prop;
  }

  override toJSON(): ReturnType<ValidationError['toJSON']> & { construct: string } {
    return { ...super.toJSON(), construct: this.construct };
  }
}

/** Shows a received prop value in a message (tokens as "a token", long strings cut). */
export function shown(value: unknown): string {
  if (typeof value === 'string') {
    if (Token.isUnresolved(value)) return 'a token';
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  }
  if (value instanceof Duration) return value.toHumanString();
  if (typeof value === 'number' && Token.isUnresolved(value)) return 'a token';
  return String(value);
}

/** Prop checks for one construct, each throwing InfraPropsError with the prop name and value. */
export function propsChecker(construct: string) {
  const fail = (prop: string, message: string): never => {
    throw new InfraPropsError(construct, prop, message);
  };
  return {
    fail,
    /** A string matching `pattern` (described by `what`), unless it is a token. */
    matches(prop: string, value: string | undefined, pattern: RegExp, what: string): void {
      if (value === undefined || Token.isUnresolved(value)) return;
      if (!pattern.test(value)) fail(prop, `must be ${what}; got ${shown(value)}.`);
    },
    /** An integer in [min, max], unless it is a token. */
    integer(prop: string, value: number | undefined, min: number, max: number): void {
      if (value === undefined || Token.isUnresolved(value)) return;
      if (!Number.isInteger(value) || value < min || value > max) {
        fail(prop, `must be a whole number from ${min} to ${max}; got ${shown(value)}.`);
      }
    },
  };
}

/** keystage's secret name: `<environment>/<service>/<name>`, as the library creates them. */
export const NAME_PART = /^[A-Za-z0-9_+=.@-]{1,64}$/;

/** AWS regions as in `us-east-1` (tokens are checked at deploy time). */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/**
 * cdk-nag here is v3: checks run as a CDK validation plugin
 * (`Validations.of(app).addPlugins(new AwsSolutionsChecks(app))`) and `app.synth()` throws
 * `ValidationFailed` listing every unacknowledged finding. There is no `NagSuppressions` or
 * Aspect/Annotations API in v3: a finding is acknowledged on the construct, one finding id
 * at a time (`AwsSolutions-IAM5[Resource::*]`), always with the specific reason. Tests use
 * `expectNagClean` from test/support/nag.ts.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
