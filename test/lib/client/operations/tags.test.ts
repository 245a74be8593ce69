import {
  LimitExceededException,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { clientFixture, meta, rejection, sm, type ClientFixture } from '../../../support/client-fixture';

const NAME = 'prod/app/key';

describe('SecretsClient.tag and untag', () => {
  let f: ClientFixture;
  beforeEach(() => {
    f = clientFixture();
    sm.on(TagResourceCommand).resolves({});
    sm.on(UntagResourceCommand).resolves({});
  });

  it('adds tags', async () => {
    await f.client.tag(NAME, { owner: 'team-a', tier: '1' });
    expect(sm).toHaveReceivedCommandWith(TagResourceCommand, {
      SecretId: NAME,
      Tags: [
        { Key: 'owner', Value: 'team-a' },
        { Key: 'tier', Value: '1' },
      ],
    });
    expect(f.events[0]).toMatchObject({ action: 'tag', details: { keys: ['owner', 'tier'] } });
  });

  it('removes tags', async () => {
    await f.client.untag(NAME, ['owner']);
    expect(sm).toHaveReceivedCommandWith(UntagResourceCommand, { SecretId: NAME, TagKeys: ['owner'] });
  });

  it('maps a tag quota to THROTTLED', async () => {
    const limit = new LimitExceededException({ message: 'too many tags', ...meta });
    sm.on(TagResourceCommand).rejects(limit);
    expect(await rejection(f.client.tag(NAME, { a: 'b' }))).toMatchObject({
      code: 'THROTTLED',
      cause: limit,
    });
  });

  it.each<[() => Promise<void>, string]>([
    [() => f.client.tag(NAME, {}), 'tags'],
    [() => f.client.tag(NAME, { 'aws:x': 'y' }), 'tags'],
    [() => f.client.untag(NAME, []), 'keys'],
    [() => f.client.untag(NAME, ['']), 'keys[0]'],
  ])('rejects bad input before any call (%#)', async (run, field) => {
    expect(await rejection(run())).toMatchObject({ code: 'VALIDATION_ERROR', field });
    expect(sm).not.toHaveReceivedAnyCommand();
  });
});
