import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { runLocal } from '../../../lib/cli/local-command';
import { main } from '../../../lib/cli/main';

describe('keystage command', () => {
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => stderr.mockRestore());

  it('prints usage for help and refuses unknown commands', async () => {
    await expect(main(['help'])).resolves.toBe(0);
    await expect(main(['frobnicate'])).resolves.toBe(2);
    expect(stderr.mock.calls.join('')).toContain('usage: keystage');
  });

  it('refuses unknown options of local', async () => {
    await expect(main(['local', '--colour'])).rejects.toThrow(/Unknown option/);
  });
});

describe('keystage local', () => {
  it('serves the SDK, prints the exports, and stops cleanly on SIGTERM', async () => {
    const lines: string[] = [];
    const exits: number[] = [];
    const sigintBefore = process.listeners('SIGINT');
    const endpoint = await runLocal(
      { port: 0, inMemory: true },
      (line) => lines.push(line),
      (code) => exits.push(code),
    );
    const text = lines.join('\n');
    expect(text).toContain(`listening at ${endpoint.url}`);
    expect(text).toContain(`export AWS_ENDPOINT_URL=${endpoint.url}`);

    const sm = new SecretsManagerClient({
      ...endpoint.environment(),
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    await expect(sm.send(new ListSecretsCommand({}))).resolves.toMatchObject({ SecretList: [] });

    process.emit('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exits).toEqual([0]);
    await expect(sm.send(new ListSecretsCommand({}))).rejects.toThrow();
    for (const listener of process.listeners('SIGINT')) {
      if (!sigintBefore.includes(listener)) process.removeListener('SIGINT', listener);
    }
  });
});
