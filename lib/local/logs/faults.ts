import { ServiceFault } from '../fault';

/**
 * The exceptions CloudWatch Logs documents for the operations the endpoint answers, by the
 * names the SDK turns into its classes. Messages start as the service's do and then say what
 * to do; they never carry an event's message.
 */
const fault =
  (type: string) =>
  (message: string): ServiceFault =>
    new ServiceFault(type, message);

export const invalidParameter = fault('InvalidParameterException');
export const notFound = fault('ResourceNotFoundException');
export const alreadyExists = fault('ResourceAlreadyExistsException');
export const validation = fault('ValidationException');

/** What the service answers when it cannot complete a request (a refused disk write here). */
export const LOGS_INTERNAL_ERROR = 'ServiceUnavailableException';

export const groupNotFound = (): ServiceFault =>
  notFound(
    'The specified log group does not exist: create it with CreateLogGroup, or check its name and Region (DescribeLogGroups).',
  );

export const streamNotFound = (): ServiceFault =>
  notFound(
    'The specified log stream does not exist: create it with CreateLogStream (PutLogEvents does not), or check its name (DescribeLogStreams).',
  );

export const badToken = (): ServiceFault =>
  invalidParameter(
    'The specified nextToken is not valid: pass the token the previous page of the same request returned.',
  );
