import { UnexpectedServiceError } from '../errors';

/** A page of a paginated AWS answer: whatever it holds, plus the token of the next page. */
export interface TokenPage {
  readonly NextToken?: string | null | undefined;
}

/**
 * Every page of a paginated AWS call, in order, fetched as the caller iterates. This is the
 * one pagination loop keystage has.
 *
 * It stops on a page whose `NextToken` is absent or empty: some emulators end with `""`,
 * and sending that back asks for the first page again, forever. A page that hands back the
 * very token it was asked with would loop the same way, so that fails instead.
 *
 * @param fetchPage sends the request for one page; `undefined` asks for the first.
 * @param what names the call in the error, e.g. `ListSecrets`.
 * @example
 * for await (const page of paginate((NextToken) => sm.send(new ListSecretsCommand({ NextToken })), 'ListSecrets')) {
 *   names.push(...(page.SecretList ?? []).map((s) => s.Name));
 * }
 */
export async function* paginate<P extends TokenPage>(
  fetchPage: (nextToken: string | undefined) => Promise<P>,
  what: string,
): AsyncGenerator<P, void, undefined> {
  let token: string | undefined;
  for (;;) {
    const page = await fetchPage(token);
    yield page;
    const next = page.NextToken;
    if (next === undefined || next === null || next === '') return;
    if (next === token) {
      throw new UnexpectedServiceError(
        `${what} answered with the NextToken it was sent (${JSON.stringify(next)}), which would repeat ` +
          'the same request forever: check the endpoint in use.',
      );
    }
    token = next;
  }
}
