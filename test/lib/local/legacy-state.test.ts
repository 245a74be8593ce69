import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { createCipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalEndpoint } from '../../../lib/local';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:old/db-AbCdEf';
const KEY_ID = '11111111-2222-4333-8444-555555555555';

/** A data directory as keystage 0.1 left it: master.key and one encrypted state document. */
function writeLegacy(dir: string, tagBytes = 16): Buffer {
  const master = randomBytes(32);
  writeFileSync(join(dir, 'master.key'), master.toString('base64'), { mode: 0o600 });
  const state = {
    secrets: [
      {
        name: 'old/db',
        arn: ARN,
        region: 'us-east-1',
        description: 'from 0.1',
        createdAt: 1_700_000_000_000,
        lastChangedAt: 1_700_000_100_000,
        lastAccessedAt: 1_700_006_400_000,
        rotation: { enabled: false },
        tags: { team: 'billing' },
        replicas: [],
        versions: [
          {
            id: 'v-one-000000000000000000000000000001',
            value: { text: 'old-password' },
            stages: ['AWSPREVIOUS'],
            createdAt: 1,
          },
          {
            id: 'v-two-000000000000000000000000000002',
            value: { text: 'new-password' },
            stages: ['AWSCURRENT'],
            createdAt: 2,
          },
        ],
      },
    ],
    keys: [
      {
        id: KEY_ID,
        arn: `arn:aws:kms:us-east-1:000000000000:key/${KEY_ID}`,
        region: 'us-east-1',
        material: randomBytes(32).toString('base64'),
        createdAt: 1_700_000_000_000,
        description: 'old key',
        enabled: true,
        rotationEnabled: false,
      },
    ],
    aliases: [],
  };
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master, iv);
  cipher.setAAD(Buffer.from('keystage-local-state/1'));
  const data = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()]);
  const envelope = {
    format: 'keystage-local-state',
    version: 1,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().subarray(0, tagBytes).toString('base64'),
    data: data.toString('base64'),
  };
  writeFileSync(join(dir, 'state.json.enc'), JSON.stringify(envelope), { mode: 0o600 });
  return master;
}

describe('a data directory of keystage 0.1', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keystage-legacy-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is migrated once into the log, with every version, and the old file kept aside', async () => {
    writeLegacy(dir);
    const lines: string[] = [];
    const endpoint = await startLocalEndpoint({ dataDir: dir, log: (line) => lines.push(line) });
    expect(lines.join('\n')).toContain('migrated 1 secrets and 1 keys');
    await endpoint.close();
    expect(existsSync(join(dir, 'state.json.enc'))).toBe(false);
    expect(readdirSync(dir)).toContain('state.json.enc.migrated');

    const again = await startLocalEndpoint({ dataDir: dir });
    const sm = new SecretsManagerClient({ endpoint: again.url, region: 'us-east-1', credentials });
    // Described before any read, which would set today's access date.
    expect(await sm.send(new DescribeSecretCommand({ SecretId: 'old/db' }))).toMatchObject({
      Description: 'from 0.1',
      Tags: [{ Key: 'team', Value: 'billing' }],
      LastAccessedDate: new Date(Math.floor(1_700_006_400_000 / 86_400_000) * 86_400_000),
    });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'old/db' }))).SecretString).toBe(
      'new-password',
    );
    expect(
      (await sm.send(new GetSecretValueCommand({ SecretId: ARN, VersionStage: 'AWSPREVIOUS' }))).SecretString,
    ).toBe('old-password');
    const kms = new KMSClient({ endpoint: again.url, region: 'us-east-1', credentials });
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: KEY_ID, Plaintext: Buffer.from('hi') }),
    );
    expect(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString()).toBe(
      'hi',
    );
    await again.close();
  });

  it('is refused, and nothing is created, when its GCM tag is not 16 bytes', async () => {
    writeLegacy(dir, 4);
    await expect(startLocalEndpoint({ dataDir: dir })).rejects.toMatchObject({
      code: 'DECODE_ERROR',
      message: expect.stringContaining('not format keystage-local-state version 1'),
    });
    expect(readdirSync(dir).sort()).toEqual(['master.key', 'state.json.enc']);
  });
});
