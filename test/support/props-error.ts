import { InfraPropsError } from '../../infra';

/** The error `build` throws, which must be an InfraPropsError (so the test fails otherwise). */
export function propsError(build: () => unknown): InfraPropsError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(InfraPropsError);
    return error as InfraPropsError;
  }
  throw new Error('expected an InfraPropsError');
}
