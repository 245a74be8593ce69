import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalEndpoint } from '../../../lib/local';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('local endpoint persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keystage-local-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function write(name: string, value: string): Promise<void> {
    const endpoint = await startLocalEndpoint({ dataDir: dir });
    const sm = new SecretsManagerClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    await endpoint.close();
  }

  it('keeps secrets across restarts, encrypted at rest, in files only the owner can read', async () => {
    await write('kept', 'persisted-value-123');
    const endpoint = await startLocalEndpoint({ dataDir: dir });
    const sm = new SecretsManagerClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'kept' }))).SecretString).toBe(
      'persisted-value-123',
    );
    await endpoint.close();
    for (const name of readdirSync(dir)) {
      expect(readFileSync(join(dir, name)).includes('persisted-value-123')).toBe(false);
      expect(readFileSync(join(dir, name)).includes('kept')).toBe(false);
      expect(statSync(join(dir, name)).mode & 0o077).toBe(0);
    }
    expect(statSync(dir).mode & 0o077).toBe(0);
  });

  it('refuses a log whose record was altered, naming the file and the frame', async () => {
    await write('x', 'y');
    const log = join(dir, 'log-000001.ksl');
    const bytes = readFileSync(log);
    bytes[bytes.length - 20]! ^= 0x01;
    writeFileSync(log, bytes);
    await expect(startLocalEndpoint({ dataDir: dir })).rejects.toMatchObject({
      code: 'DECODE_ERROR',
      message: expect.stringMatching(/log-000001\.ksl .*frame \d+ at byte \d+ fails authentication/),
    });
  });

  it('refuses a foreign file in place of the log', async () => {
    await write('x', 'y');
    writeFileSync(join(dir, 'log-000001.ksl'), 'not a log at all, and long enough for a header');
    await expect(startLocalEndpoint({ dataDir: dir })).rejects.toMatchObject({
      code: 'DECODE_ERROR',
      message: expect.stringContaining('not a keystage local file'),
    });
  });

  it('refuses state written under another master key', async () => {
    await write('x', 'y');
    writeFileSync(join(dir, 'master.key'), Buffer.alloc(32, 9).toString('base64'));
    await expect(startLocalEndpoint({ dataDir: dir })).rejects.toMatchObject({
      code: 'DECODE_ERROR',
      message: expect.stringContaining('does not decrypt with master.key'),
    });
  });

  it('refuses state whose master.key was deleted, and creates no new key', async () => {
    await write('x', 'y');
    rmSync(join(dir, 'master.key'));
    await expect(startLocalEndpoint({ dataDir: dir })).rejects.toMatchObject({
      code: 'DECODE_ERROR',
      message: expect.stringContaining('master.key is missing'),
    });
    expect(readdirSync(dir).sort()).toEqual(['log-000001.ksl']);
  });

  it('keeps nothing on disk in memory mode', async () => {
    const endpoint = await startLocalEndpoint({ inMemory: true, dataDir: dir });
    await endpoint.close();
    expect(readdirSync(dir)).toEqual([]);
  });
});
