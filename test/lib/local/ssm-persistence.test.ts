import {
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
} from '@aws-sdk/client-ssm';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocal } from '../../support/local-endpoint';

describe('local SSM persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keystage-ssm-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps parameters, versions, labels, tags and the ssm key across a restart, nothing in plaintext on disk', async () => {
    const first = await startLocal({ inMemory: false, dataDir: dir });
    const before = first.ssm();
    await before.send(
      new PutParameterCommand({
        Name: '/prod/billing/db_url',
        Value: 'postgres://kept-value-1',
        Type: 'SecureString',
        Tags: [{ Key: 'team', Value: 'billing' }],
      }),
    );
    await before.send(
      new PutParameterCommand({
        Name: '/prod/billing/db_url',
        Value: 'postgres://kept-value-2',
        Overwrite: true,
      }),
    );
    await before.send(
      new LabelParameterVersionCommand({
        Name: '/prod/billing/db_url',
        ParameterVersion: 1,
        Labels: ['old'],
      }),
    );
    await before.send(
      new PutParameterCommand({ Name: '/prod/billing/region', Value: 'eu-west-1', Type: 'String' }),
    );
    before.destroy();
    await first.endpoint.close();

    for (const file of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, file));
      expect([file, bytes.includes('kept-value')]).toEqual([file, false]);
      expect([file, bytes.includes('/prod/billing')]).toEqual([file, false]);
    }

    const second = await startLocal({ inMemory: false, dataDir: dir });
    const after = second.ssm();
    try {
      await expect(
        after.send(new GetParameterCommand({ Name: '/prod/billing/db_url:old', WithDecryption: true })),
      ).resolves.toMatchObject({ Parameter: { Value: 'postgres://kept-value-1', Version: 1 } });
      const { Parameters } = await after.send(
        new GetParametersByPathCommand({ Path: '/prod/billing', WithDecryption: true }),
      );
      expect(Parameters?.map((p) => [p.Name, p.Value, p.Version])).toEqual([
        ['/prod/billing/db_url', 'postgres://kept-value-2', 2],
        ['/prod/billing/region', 'eu-west-1', 1],
      ]);
      const history = await after.send(new GetParameterHistoryCommand({ Name: '/prod/billing/db_url' }));
      expect(history.Parameters?.map((p) => p.Labels)).toEqual([['old'], []]);
      await expect(
        after.send(
          new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/prod/billing/db_url' }),
        ),
      ).resolves.toMatchObject({ TagList: [{ Key: 'team', Value: 'billing' }] });
      // Writes after the restart go on from the kept versions.
      await expect(
        after.send(new PutParameterCommand({ Name: '/prod/billing/db_url', Value: 'v3', Overwrite: true })),
      ).resolves.toMatchObject({ Version: 3 });
    } finally {
      after.destroy();
      await second.endpoint.close();
    }
  });
});
