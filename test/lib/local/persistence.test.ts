import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mkdtempSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
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

  it('keeps secrets across restarts, encrypted at rest under a 0600 master key', async () => {
    await write('kept', 'persisted-value-123');
    const endpoint = await startLocalEndpoint({ dataDir: dir });
    const sm = new SecretsManagerClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'kept' }))).SecretString).toBe(
      'persisted-value-123',
    );
    await endpoint.close();
    expect(readFileSync(join(dir, 'state.json.enc'), 'utf8')).not.toContain('persisted-value-123');
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'state.json.enc')).mode & 0o777).toBe(0o600);
  });

  it('refuses a corrupt data file with a clear error instead of starting empty', async () => {
    await write('x', 'y');
    writeFileSync(
      join(dir, 'state.json.enc'),
      '{"format":"keystage-local-state","version":1,"iv":"AA","tag":"AA","data":"AA"}',
    );
    await expect(startLocalEndpoint({ dataDir: dir })).rejects.toMatchObject({
      code: 'DECODE_ERROR',
      message: expect.stringContaining('does not decrypt'),
    });
  });

  it('refuses a foreign file', async () => {
    await write('x', 'y');
    writeFileSync(join(dir, 'state.json.enc'), 'not json at all');
    await expect(startLocalEndpoint({ dataDir: dir })).rejects.toMatchObject({
      message: expect.stringContaining('not JSON'),
    });
  });

  it('refuses a state file written under another master key', async () => {
    await write('x', 'y');
    writeFileSync(join(dir, 'master.key'), Buffer.alloc(32, 9).toString('base64'));
    await expect(startLocalEndpoint({ dataDir: dir })).rejects.toMatchObject({ code: 'DECODE_ERROR' });
  });

  it('keeps nothing on disk in memory mode', async () => {
    const endpoint = await startLocalEndpoint({ inMemory: true, dataDir: dir });
    await endpoint.close();
    expect(() => statSync(join(dir, 'master.key'))).toThrow();
  });
});
