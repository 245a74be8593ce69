import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalProcess, type RunningLocal } from '../../support/local-process';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const client = (url: string) =>
  new SecretsManagerClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });

interface Acknowledged {
  readonly name: string;
  readonly versionId: string;
  readonly value: string;
}

describe('keystage local under kill -9', () => {
  let dir: string;
  let running: RunningLocal | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keystage-crash-'));
  });
  afterEach(async () => {
    if (running !== undefined && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    running = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged write over 50 kills during writes, and keeps one AWSCURRENT per secret', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `crash/secret-${i}`);
    const acknowledged: Acknowledged[] = [];
    /** The last value sent for each secret: its answer may have been lost with the process. */
    const lastSent = new Map<string, string>();
    let counter = 0;
    for (let round = 0; round < 50; round++) {
      running = await startLocalProcess(dir);
      const sm = client(running.url);
      if (round === 0) {
        for (const name of names) {
          const out = await sm.send(new CreateSecretCommand({ Name: name, SecretString: `${name}#0` }));
          acknowledged.push({ name, versionId: out.VersionId!, value: `${name}#0` });
        }
      } else {
        // Everything acknowledged before the last kill is there, with its value.
        const lastRound = acknowledged.filter((write) => write.value.endsWith(`@${round - 1}`));
        for (const write of lastRound) {
          const out = await sm.send(
            new GetSecretValueCommand({ SecretId: write.name, VersionId: write.versionId }),
          );
          expect(out.SecretString).toBe(write.value);
        }
      }
      let stop = false;
      const writer = async (name: string) => {
        while (!stop) {
          const value = `${name}#${++counter}@${round}`;
          lastSent.set(name, value);
          try {
            const out = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
            acknowledged.push({ name, versionId: out.VersionId!, value });
          } catch {
            return; // the process is gone: this write was never acknowledged
          }
        }
      };
      const writers = names.map(writer);
      await new Promise((resolve) => setTimeout(resolve, randomInt(20, 120)));
      running.child.kill('SIGKILL');
      await running.exited;
      stop = true;
      await Promise.all(writers);
      sm.destroy();
    }

    running = await startLocalProcess(dir);
    const sm = client(running.url);
    for (const name of names) {
      const stages = (await sm.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages ?? {};
      expect(Object.values(stages).filter((labels) => labels.includes('AWSCURRENT'))).toHaveLength(1);
      const versions = new Set<string>();
      let token: string | undefined;
      do {
        const page = await sm.send(
          new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true, NextToken: token }),
        );
        for (const version of page.Versions ?? []) versions.add(version.VersionId!);
        token = page.NextToken;
      } while (token !== undefined);
      // The service keeps about 100 versions without a label; every younger acknowledged one is there.
      const mine = acknowledged.filter((write) => write.name === name).slice(-90);
      for (const write of mine) expect(versions).toContain(write.versionId);
      // AWSCURRENT is the last acknowledged write, or one written after it whose answer the
      // kill took away (durable but unacknowledged writes may be there or not).
      const latest = mine[mine.length - 1]!;
      const current = await sm.send(new GetSecretValueCommand({ SecretId: name }));
      expect([latest.value, lastSent.get(name)]).toContain(current.SecretString);
    }
    expect(acknowledged.length).toBeGreaterThan(50 * names.length);
    sm.destroy();
  }, 240_000);

  it('refuses a second keystage local on the same data directory, naming the first one', async () => {
    running = await startLocalProcess(dir);
    const lock = JSON.parse(readFileSync(join(dir, 'lock'), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(running.pid);
    const second = await startLocalProcess(dir).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(second).toContain(`in use by process ${running.pid}`);
    expect(second).toContain('VALIDATION_ERROR');
  });

  it('releases the data directory when it stops, and takes over the lock of one killed with -9', async () => {
    running = await startLocalProcess(dir);
    running.child.kill('SIGTERM');
    await running.exited;
    expect(existsSync(join(dir, 'lock'))).toBe(false);

    running = await startLocalProcess(dir);
    running.child.kill('SIGKILL');
    await running.exited;
    expect(existsSync(join(dir, 'lock'))).toBe(true);
    running = await startLocalProcess(dir);
    expect(JSON.parse(readFileSync(join(dir, 'lock'), 'utf8'))).toMatchObject({ pid: running.pid });
  });
});
