import { paginate, type TokenPage } from '../../../lib/core';

interface Page extends TokenPage {
  readonly items: readonly string[];
}

/** A fake paginated API: answers the pages in order and records the tokens it was sent. */
function pagedApi(pages: readonly Page[]) {
  const sent: Array<string | undefined> = [];
  const fetchPage = async (token: string | undefined): Promise<Page> => {
    sent.push(token);
    // A loop that never stops fails here, fast, instead of hanging the suite.
    if (sent.length > 10) throw new Error('the paginator kept asking');
    return pages[Math.min(sent.length - 1, pages.length - 1)]!;
  };
  return { sent, fetchPage };
}

async function collect(pages: AsyncIterable<Page>): Promise<string[]> {
  const items: string[] = [];
  for await (const page of pages) items.push(...page.items);
  return items;
}

describe('paginate', () => {
  it('follows NextToken until a page has none', async () => {
    const api = pagedApi([
      { items: ['a'], NextToken: 't1' },
      { items: ['b'], NextToken: 't2' },
      { items: ['c'] },
    ]);
    expect(await collect(paginate(api.fetchPage, 'List'))).toEqual(['a', 'b', 'c']);
    expect(api.sent).toEqual([undefined, 't1', 't2']);
  });

  it('stops on an empty NextToken, even from a service that answers "" forever', async () => {
    const api = pagedApi([{ items: ['a'], NextToken: '' }]);
    expect(await collect(paginate(api.fetchPage, 'List'))).toEqual(['a']);
    expect(api.sent).toEqual([undefined]);
  });

  it('stops on a null NextToken', async () => {
    const api = pagedApi([{ items: ['a'], NextToken: null }]);
    expect(await collect(paginate(api.fetchPage, 'List'))).toEqual(['a']);
    expect(api.sent).toHaveLength(1);
  });

  it('fails with SERVICE_ERROR when a page hands back the token it was sent', async () => {
    const api = pagedApi([
      { items: ['a'], NextToken: 'same' },
      { items: ['b'], NextToken: 'same' },
    ]);
    await expect(collect(paginate(api.fetchPage, 'ListSecrets'))).rejects.toMatchObject({
      code: 'SERVICE_ERROR',
      message: expect.stringContaining('ListSecrets answered with the NextToken it was sent'),
    });
    expect(api.sent).toEqual([undefined, 'same']);
  });

  it('asks for the next page only when the caller wants it', async () => {
    const api = pagedApi([{ items: ['a'], NextToken: 't1' }, { items: ['b'] }]);
    for await (const page of paginate(api.fetchPage, 'List')) {
      expect(page.items).toEqual(['a']);
      break;
    }
    expect(api.sent).toEqual([undefined]);
  });
});
