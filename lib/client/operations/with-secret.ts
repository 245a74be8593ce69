import { validateSecretId } from '../../core';
import { ValidationError } from '../../errors';
import type { Operation } from '../operation';
import type { CallOptions } from '../options';
import { SealedSecretValue } from '../sealed-value';

export interface WithSecretOptions extends CallOptions {
  /**
   * Says whether `fn` failed because the credential was refused (the secret was rotated
   * under it), which triggers one forced re-read and one retry.
   * @default - isDatabaseAuthError: PostgreSQL and MySQL/MariaDB login refusals
   */
  readonly isAuthError?: (error: unknown) => boolean;
  /** @default 'AWSCURRENT' */
  readonly versionStage?: string;
}

interface WithSecretCall {
  readonly id: string;
  readonly fn: (value: string) => Promise<unknown>;
  readonly options: WithSecretOptions;
}

/**
 * `withSecret`: runs `fn` with a secret's string value, re-reading the secret once (shared
 * by concurrent callers) and retrying once when `fn` fails with an authentication error.
 * The read cache does the work, so without one there is nothing to run it.
 */
export const withSecret: Operation<
  [id: string, fn: (value: string) => Promise<unknown>, options: WithSecretOptions],
  WithSecretCall,
  unknown
> = {
  name: 'withSecret',
  kind: 'read',
  validate: (id, fn, options) => {
    const secretId = validateSecretId(id);
    if (typeof fn !== 'function')
      throw new ValidationError('fn', 'withSecret needs a function to run with the value.');
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError('options', 'withSecret options must be an object such as { isAuthError }.');
    }
    return { id: secretId, fn, options };
  },
  secretId: (input) => input.id,
  call: () =>
    Promise.reject(
      new ValidationError(
        'cache',
        'withSecret needs the read cache; this client was built with cache: false.',
      ),
    ),
  cache: {
    serve: (cache, { id, fn, options }) =>
      cache.withSecret(
        id,
        (secret) => {
          if (secret.binary instanceof SealedSecretValue) return secret.binary.open(secret, id).then(fn);
          if (secret.text === undefined) {
            return Promise.reject(
              new ValidationError('id', `Secret ${JSON.stringify(id)} holds binary data.`),
            );
          }
          return fn(secret.text);
        },
        options,
      ),
  },
};
