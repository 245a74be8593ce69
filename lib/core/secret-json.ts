import { SecretDecodeError } from '../errors';

/** What {@link parseSecretJson} needs of a secret version. */
export interface SecretText {
  readonly name: string;
  readonly text: string | undefined;
}

/**
 * A secret's text parsed as JSON. The parser's own error is not kept: its message quotes
 * the text it rejects, which here is the secret.
 * @example
 * const db = parseSecretJson({ name: 'prod/app/db', text: '{"username":"app"}' }); // { username: 'app' }
 */
export function parseSecretJson(version: SecretText): unknown {
  if (version.text === undefined) {
    throw new SecretDecodeError(
      `Secret ${JSON.stringify(version.name)} holds binary data: read it with getBinary().`,
      { secretId: version.name },
    );
  }
  try {
    return JSON.parse(version.text);
  } catch {
    throw new SecretDecodeError(
      `Secret ${JSON.stringify(version.name)} is not valid JSON (${version.text.length} characters): ` +
        'read it with get() or fix the stored value.',
      { secretId: version.name },
    );
  }
}
