import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalEndpoint, type LocalEndpoint, type LocalEndpointOptions } from '../../../lib/local';
import { FaultyFileSystem } from '../../support/faulty-fs';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const DAY = 86_400_000;

/** Whether this process may mount a tmpfs (root in a sandbox that allows it). */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'keystage-mount-probe-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (mounted) spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return mounted;
}

describe('local endpoint durability', () => {
  let dir: string;
  let endpoint: LocalEndpoint | undefined;
  const start = async (options: LocalEndpointOptions = {}) => {
    endpoint = await startLocalEndpoint({ dataDir: dir, ...options });
    return {
      sm: new SecretsManagerClient({
        endpoint: endpoint.url,
        region: 'us-east-1',
        credentials,
        maxAttempts: 1,
      }),
      kms: new KMSClient({ endpoint: endpoint.url, region: 'us-east-1', credentials, maxAttempts: 1 }),
    };
  };
  const restart = async (options: LocalEndpointOptions = {}) => {
    await endpoint?.close();
    return start(options);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keystage-durable-'));
  });
  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  describe('when the disk refuses a write', () => {
    it('answers 500 InternalServiceError, keeps the previous value, and keeps working once there is room', async () => {
      const disk = new FaultyFileSystem();
      const { sm } = await start({ fileSystem: disk.fs });
      await sm.send(new CreateSecretCommand({ Name: 'app/db', SecretString: 'first' }));
      disk.spaceLeft = 100; // the next record is cut short, then the disk is full
      const refused = await sm
        .send(new PutSecretValueCommand({ SecretId: 'app/db', SecretString: 'second-not-kept' }))
        .then(
          () => undefined,
          (error: { name: string; $metadata: { httpStatusCode?: number }; message: string }) => error,
        );
      expect(refused).toMatchObject({
        name: 'InternalServiceError',
        $metadata: { httpStatusCode: 500 },
        message: expect.stringContaining('no space left on device'),
      });
      expect(refused?.message).not.toContain('second-not-kept');
      expect((await sm.send(new GetSecretValueCommand({ SecretId: 'app/db' }))).SecretString).toBe('first');
      // Reads go on while the disk is full, access dates or not.
      disk.spaceLeft = 0;
      expect((await sm.send(new GetSecretValueCommand({ SecretId: 'app/db' }))).SecretString).toBe('first');

      disk.spaceLeft = Number.POSITIVE_INFINITY;
      await sm.send(new PutSecretValueCommand({ SecretId: 'app/db', SecretString: 'third' }));
      const again = await restart();
      expect((await again.sm.send(new GetSecretValueCommand({ SecretId: 'app/db' }))).SecretString).toBe(
        'third',
      );
      const versions = await again.sm.send(new DescribeSecretCommand({ SecretId: 'app/db' }));
      expect(Object.keys(versions.VersionIdsToStages ?? {})).toHaveLength(2);
    });

    it('answers a KMS write it could not make durable with KMSInternalException', async () => {
      const disk = new FaultyFileSystem();
      const { kms } = await start({ fileSystem: disk.fs });
      disk.spaceLeft = 0;
      await expect(kms.send(new CreateKeyCommand({}))).rejects.toMatchObject({
        name: 'KMSInternalException',
        $metadata: { httpStatusCode: 500 },
      });
    });

    (canMountTmpfs() ? it : it.skip)(
      'on a real full tmpfs, refuses writes with 500 and loses none that were acknowledged (needs root to mount one)',
      async () => {
        const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=384k', 'tmpfs', dir]).status === 0;
        expect(mounted).toBe(true);
        try {
          const { sm } = await start();
          const kept: string[] = [];
          let refused: { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
          for (let i = 0; i < 40 && refused === undefined; i++) {
            const value = `${i}:${'v'.repeat(60_000)}`;
            await sm.send(new CreateSecretCommand({ Name: `big/${i}`, SecretString: value })).then(
              () => kept.push(`big/${i}`),
              (error: typeof refused) => (refused = error),
            );
          }
          expect(refused).toMatchObject({ name: 'InternalServiceError', $metadata: { httpStatusCode: 500 } });
          expect(kept.length).toBeGreaterThan(0);
          const failedName = `big/${kept.length}`;
          await endpoint!.close();
          endpoint = undefined;
          // Room again (a file removed elsewhere on the disk), then a restart reads the log.
          const again = await start();
          for (const name of kept) {
            const out = await again.sm.send(new GetSecretValueCommand({ SecretId: name }));
            expect(out.SecretString!.startsWith(`${name.slice(4)}:`)).toBe(true);
          }
          await expect(
            again.sm.send(new GetSecretValueCommand({ SecretId: failedName })),
          ).rejects.toBeInstanceOf(ResourceNotFoundException);
          await endpoint!.close();
          endpoint = undefined;
        } finally {
          spawnSync('umount', [dir]);
        }
      },
    );
  });

  describe('scheduled deletion', () => {
    it('completes when the recovery window ends: the secret is gone, across a restart, and its name reusable', async () => {
      let now = Date.UTC(2026, 0, 1);
      const clock = { now: () => now };
      const { sm } = await start(clock);
      await sm.send(new CreateSecretCommand({ Name: 'old/name', SecretString: 'v' }));
      await sm.send(new DeleteSecretCommand({ SecretId: 'old/name', RecoveryWindowInDays: 7 }));
      now += 7 * DAY - 1000;
      await expect(sm.send(new DescribeSecretCommand({ SecretId: 'old/name' }))).resolves.toMatchObject({
        DeletedDate: expect.any(Date),
      });
      now += 2000;
      await expect(sm.send(new DescribeSecretCommand({ SecretId: 'old/name' }))).rejects.toBeInstanceOf(
        ResourceNotFoundException,
      );
      const again = await restart(clock);
      await expect(again.sm.send(new DescribeSecretCommand({ SecretId: 'old/name' }))).rejects.toBeInstanceOf(
        ResourceNotFoundException,
      );
      await again.sm.send(new CreateSecretCommand({ Name: 'old/name', SecretString: 'new life' }));
      expect((await again.sm.send(new GetSecretValueCommand({ SecretId: 'old/name' }))).SecretString).toBe(
        'new life',
      );
    });

    it('deletes on the first request after the window even when the endpoint was down when it ended', async () => {
      let now = Date.UTC(2026, 0, 1);
      const { sm } = await start({ now: () => now });
      await sm.send(new CreateSecretCommand({ Name: 'gone/later', SecretString: 'v' }));
      await sm.send(new DeleteSecretCommand({ SecretId: 'gone/later', RecoveryWindowInDays: 7 }));
      await endpoint!.close();
      endpoint = undefined;
      now += 30 * DAY;
      const again = await start({ now: () => now });
      await expect(
        again.sm.send(new GetSecretValueCommand({ SecretId: 'gone/later' })),
      ).rejects.toBeInstanceOf(ResourceNotFoundException);
    });
  });

  it('persists every change before answering: a restart right after each answer shows it', async () => {
    const { sm } = await start();
    await sm.send(new CreateSecretCommand({ Name: 'p/1', SecretString: 'a', Description: 'd1' }));
    let client = (await restart()).sm;
    expect((await client.send(new DescribeSecretCommand({ SecretId: 'p/1' }))).Description).toBe('d1');
    await client.send(new DeleteSecretCommand({ SecretId: 'p/1', RecoveryWindowInDays: 7 }));
    client = (await restart()).sm;
    expect((await client.send(new DescribeSecretCommand({ SecretId: 'p/1' }))).DeletedDate).toBeInstanceOf(
      Date,
    );
    await client.send(new GetSecretValueCommand({ SecretId: 'p/1' })).catch(() => undefined);
    client = (await restart()).sm;
    expect((await client.send(new DescribeSecretCommand({ SecretId: 'p/1' }))).DeletedDate).toBeInstanceOf(
      Date,
    );
  });
});
