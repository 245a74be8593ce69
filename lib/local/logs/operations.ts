import { ServiceFault } from '../fault';
import type { Operation } from '../operation';
import { validateInput } from '../schema';
import type { Body } from '../wire';
import type { LogsContext, Run } from './context';
import { GROUP_OPERATIONS } from './group-ops';
import { PUT_OPERATIONS } from './put-events';
import { READ_OPERATIONS } from './read-events';
import { SHAPES, type LogsOperationName } from './shapes';
import { STREAM_OPERATIONS } from './stream-ops';

export type { LogsContext } from './context';
export { LOGS_INTERNAL_ERROR } from './faults';
export { LogStore } from './store';

/**
 * The request body the endpoint takes by default: a PutLogEvents at AWS's limits (1 MiB of
 * messages in UTF-8 plus 26 bytes per event, 10,000 events) with every message JSON-escaped
 * at worst (6 bytes per control character), and its members.
 */
export const LOGS_MAX_BODY_BYTES = 8 * 1024 * 1024;

const RUN: Record<LogsOperationName, Run> = {
  ...GROUP_OPERATIONS,
  ...STREAM_OPERATIONS,
  ...PUT_OPERATIONS,
  ...READ_OPERATIONS,
};

/** The CloudWatch Logs operations the local endpoint answers, by `X-Amz-Target` name. */
export const LOGS_OPERATIONS: Readonly<Record<string, Operation<LogsContext>>> = Object.fromEntries(
  (Object.keys(RUN) as LogsOperationName[]).map((name) => [
    name,
    { input: SHAPES[name], run: RUN[name] } satisfies Operation<LogsContext>,
  ]),
);

/**
 * Checks the body against the operation's input shape, then runs it. CloudWatch Logs answers
 * a member that fails its constraints with InvalidParameterException (the same "N validation
 * errors detected" message), where Secrets Manager and KMS say ValidationException.
 */
export function invokeLogs(operation: Operation<LogsContext>, ctx: LogsContext, body: Body): object {
  try {
    validateInput(operation.input, body);
  } catch (error) {
    if (error instanceof ServiceFault && error.type === 'ValidationException') {
      throw new ServiceFault('InvalidParameterException', error.message);
    }
    throw error;
  }
  return operation.run(ctx, body);
}
