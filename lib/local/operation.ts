import { validateInput, type StructureShape } from './schema';
import type { Body } from './wire';

/** One operation of the endpoint: its input shape from the API reference, and what it does. */
export interface Operation<C> {
  readonly input: StructureShape;
  readonly run: (ctx: C, body: Body) => object;
}

/** Checks the body against the operation's input shape, then runs it. */
export function invoke<C>(operation: Operation<C>, ctx: C, body: Body): object {
  validateInput(operation.input, body);
  return operation.run(ctx, body);
}
