import { ListSecretsCommand, type SecretListEntry } from '@aws-sdk/client-secrets-manager';
import { arnOf, clientFixture, rejection, sm, type ClientFixture } from '../../../support/client-fixture';
import type { ListOptions, SecretListItem } from '../../../../lib';

function entry(name: string, tags: Record<string, string>): SecretListEntry {
  return { ARN: arnOf(name), Name: name, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
}

async function collect(items: AsyncIterable<SecretListItem>): Promise<string[]> {
  const names: string[] = [];
  for await (const item of items) names.push(item.name);
  return names;
}

describe('SecretsClient.list', () => {
  let f: ClientFixture;
  beforeEach(() => {
    f = clientFixture();
  });

  it('yields every page', async () => {
    sm.on(ListSecretsCommand)
      .resolvesOnce({ SecretList: [entry('a', {}), entry('b', {})], NextToken: 't1' })
      .resolvesOnce({ SecretList: [entry('c', {})], NextToken: 't2' })
      .resolves({ SecretList: [entry('d', {})] });
    expect(await collect(f.client.list())).toEqual(['a', 'b', 'c', 'd']);
    expect(sm).toHaveReceivedCommandTimes(ListSecretsCommand, 3);
    expect(sm).toHaveReceivedNthCommandWith(3, ListSecretsCommand, { NextToken: 't2', MaxResults: 100 });
  });

  it('sends the filters and checks tag pairs exactly', async () => {
    sm.on(ListSecretsCommand).resolves({
      SecretList: [
        entry('prod/billing/db', { 'keystage:environment': 'prod', 'keystage:service': 'billing' }),
        // tag-key and tag-value filters match separately: this one has the key and the value on different tags
        entry('prod/billing/odd', {
          'keystage:environment': 'dev',
          'keystage:service': 'billing',
          other: 'prod',
        }),
        entry('prod/billing/nosvc', { 'keystage:environment': 'prod' }),
      ],
    });
    const names = await collect(f.client.list({ environment: 'prod', service: 'billing', prefix: 'prod/' }));
    expect(names).toEqual(['prod/billing/db']);
    expect(sm).toHaveReceivedCommandWith(ListSecretsCommand, {
      Filters: [
        { Key: 'name', Values: ['prod/'] },
        { Key: 'tag-key', Values: ['keystage:environment'] },
        { Key: 'tag-value', Values: ['prod'] },
        { Key: 'tag-key', Values: ['keystage:service'] },
        { Key: 'tag-value', Values: ['billing'] },
      ],
      IncludePlannedDeletion: false,
    });
  });

  it('filters on any tag, with or without a value, and on the name prefix', async () => {
    sm.on(ListSecretsCommand).resolves({
      SecretList: [
        entry('team/a', { owner: 'x' }),
        entry('team/b', { owner: 'y' }),
        entry('other/c', { owner: 'x' }),
      ],
    });
    expect(await collect(f.client.list({ tag: { key: 'owner', value: 'x' }, prefix: 'team/' }))).toEqual([
      'team/a',
    ]);
    expect(await collect(f.client.list({ tag: { key: 'owner' } }))).toEqual(['team/a', 'team/b', 'other/c']);
  });

  it('includes secrets scheduled for deletion when asked', async () => {
    sm.on(ListSecretsCommand).resolves({ SecretList: [] });
    await collect(f.client.list({ includeScheduledForDeletion: true }));
    expect(sm).toHaveReceivedCommandWith(ListSecretsCommand, { IncludePlannedDeletion: true });
  });

  it('makes no call until iterated', async () => {
    sm.on(ListSecretsCommand).resolves({ SecretList: [entry('a', {})] });
    const iterable = f.client.list();
    expect(sm).not.toHaveReceivedAnyCommand();
    const iterator = iterable[Symbol.asyncIterator]();
    await iterator.next();
    expect(sm).toHaveReceivedCommandTimes(ListSecretsCommand, 1);
  });

  it.each<[ListOptions, string]>([
    [{ prefix: '' }, 'prefix'],
    [{ prefix: 'has;semicolon' }, 'prefix'],
    [{ environment: '!prod' }, 'environment'],
    [{ tag: { key: '' } }, 'tag.key'],
    [{ tag: { key: 'k', value: 'x'.repeat(513) } }, 'tag.value'],
  ])('rejects %p before any call', async (options, field) => {
    const error = await rejection(Promise.resolve().then(() => f.client.list(options)));
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field });
    expect(sm).not.toHaveReceivedAnyCommand();
  });
});
