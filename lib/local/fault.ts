/**
 * An error the local endpoint answers with, in AWS's terms: the exception type the SDK
 * turns into its class (`ResourceNotFoundException`, ...), the HTTP status and a message.
 * Faults never leave the endpoint as exceptions: the server writes them as JSON.
 */
export class ServiceFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export const notFound = (message: string): ServiceFault =>
  new ServiceFault('ResourceNotFoundException', message);
export const invalidParameter = (message: string): ServiceFault =>
  new ServiceFault('InvalidParameterException', message);
export const invalidRequest = (message: string): ServiceFault =>
  new ServiceFault('InvalidRequestException', message);
export const exists = (message: string): ServiceFault => new ServiceFault('ResourceExistsException', message);
export const accessDenied = (message: string): ServiceFault =>
  new ServiceFault('AccessDeniedException', message);
export const limitExceeded = (message: string): ServiceFault =>
  new ServiceFault('LimitExceededException', message);
