import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigurationError, show } from '../../errors';

/**
 * Where the Secrets Manager Agent looks for its SSRF token, in order.
 * @example
 * await startSecretsAgent({ client, tokenVariables: ['MY_AGENT_TOKEN', ...DEFAULT_TOKEN_VARIABLES] });
 */
export const DEFAULT_TOKEN_VARIABLES: readonly string[] = Object.freeze([
  'AWS_TOKEN',
  'AWS_SESSION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
]);

/**
 * The request headers the Secrets Manager Agent accepts the token in, in order.
 * @example
 * await fetch(url, { headers: { [DEFAULT_TOKEN_HEADERS[0]!]: token } });
 */
export const DEFAULT_TOKEN_HEADERS: readonly string[] = Object.freeze([
  'X-Aws-Parameters-Secrets-Token',
  'X-Vault-Token',
]);

const FILE_REFERENCE = 'file://';

/**
 * The SSRF token, kept only as its SHA-256 digest: comparing digests takes the same time
 * whatever the guess, and neither the token nor its length is held after start-up.
 */
export class SsrfToken {
  readonly #digest: Buffer;

  private constructor(digest: Buffer) {
    this.#digest = digest;
  }

  /**
   * The token given (or the first of `variables` that is set in `env`), read from the file it
   * names when it is a `file://` reference, as the Agent does; trimmed only when read from a file.
   */
  static resolve(
    given: string | undefined,
    variables: readonly string[],
    env: Readonly<Record<string, string | undefined>>,
  ): SsrfToken {
    const variable = given === undefined ? variables.find((name) => env[name] !== undefined) : undefined;
    const raw = given ?? (variable === undefined ? undefined : env[variable]);
    if (raw === undefined) {
      throw new ConfigurationError(
        variables[0] ?? 'AWS_TOKEN',
        `No SSRF token: none of ${variables.join(', ')} is set. Set one to a random value (or to ` +
          'file:///path/to/token), e.g. AWS_TOKEN=$(openssl rand -base64 32), and send it in the ' +
          'X-Aws-Parameters-Secrets-Token header.',
      );
    }
    // What the token came from, for messages: the variable, or the option.
    const source = variable ?? 'token';
    const from = variable === undefined ? 'the token given' : variable;
    const file = raw.startsWith(FILE_REFERENCE) ? raw.slice(FILE_REFERENCE.length) : undefined;
    const token = file === undefined ? raw : readTokenFile(file, source, from);
    if (token.length === 0) {
      throw new ConfigurationError(
        source,
        `The SSRF token ${file === undefined ? `in ${from}` : `file ${show(file)} (from ${from})`} is empty: ` +
          'every request without a token would match it. Set a random value.',
      );
    }
    return new SsrfToken(digest(token));
  }

  /** True when `presented` is the token; in constant time. */
  matches(presented: string): boolean {
    return timingSafeEqual(digest(presented), this.#digest);
  }

  toJSON(): Record<string, never> {
    return {};
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function readTokenFile(path: string, source: string, from: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'an error';
    throw new ConfigurationError(
      source,
      `The SSRF token file ${show(path)} named by ${from} could not be read (${code}): check the path and its permissions.`,
      { cause: error },
    );
  }
}
