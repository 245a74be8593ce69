import { CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { writeBundle, type BundleEntry, type JsonObject } from '../../../../lib/transfer/bundle';
import { BACKUP_CONTENT, BACKUP_FORMAT_VERSION } from '../../../../lib/transfer/backup/backup-entries';
import { recordEntries, type BackupRecord } from '../../../../lib/transfer/backup/backup-record';
import { BackupValue } from '../../../../lib/transfer/backup/backup-value';
import { createBackup, restoreBackup, verifyBackup } from '../../../../lib/transfer';
import type { LocalFixture } from '../../../support/local-endpoint';
import {
  PLANTED,
  backupEndpoint,
  recordedClient,
  seedSource,
  snapshot,
  tempDir,
  token,
  writesIn,
} from './backup-fixtures';

// KMS protection through the local endpoint: a passphrase costs a scrypt per bundle written.
let local: LocalFixture;
let protection: { kms: { keyId: string; kms: KMSClient } };
const dir = tempDir();

beforeAll(async () => {
  local = await backupEndpoint();
  const kms = local.kms();
  const key = await kms.send(new CreateKeyCommand({}));
  protection = { kms: { keyId: key.KeyMetadata!.Arn!, kms } };
});
afterAll(async () => {
  await local.endpoint.close();
  rmSync(dir, { recursive: true, force: true });
});
const header = {
  content: BACKUP_CONTENT,
  details: { formatVersion: BACKUP_FORMAT_VERSION, environments: null },
};

function record(name: string, value = PLANTED): BackupRecord {
  return {
    name,
    arn: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-AbCdEf`,
    tags: { 'keystage:environment': 'prod' },
    rotation: { enabled: false },
    replicas: [],
    versions: [
      {
        versionId: token('v1'),
        stages: ['AWSCURRENT'],
        createdAt: new Date('2026-01-01T00:00:00.000Z'),
        value: BackupValue.text(value),
      },
    ],
  };
}

type Raw = { manifest: Record<string, unknown>; value?: string | Uint8Array };
const raw = (records: BackupRecord[]): Raw[] =>
  records.flatMap((one) => recordEntries(one)) as unknown as Raw[];
const summary = (secrets: number, versions: number): Raw => ({
  manifest: {
    type: 'summary',
    secrets,
    versions,
    skipped: { 'scheduled-for-deletion': 0, replica: 0, gone: 0 },
  },
});

async function bundleOf(name: string, entries: Raw[], content = BACKUP_CONTENT): Promise<string> {
  const path = join(dir, `${name}.ksb`);
  await writeBundle(path, { ...header, content }, entries as unknown as BundleEntry[], protection);
  return path;
}

describe('verifyBackup', () => {
  it('summarises a well-formed backup', async () => {
    const path = await bundleOf('good', [
      ...raw([record('prod/a/one'), record('prod/a/two')]),
      summary(2, 2),
    ]);
    await expect(verifyBackup(path, { protection })).resolves.toMatchObject({
      secrets: 2,
      versions: 2,
      environments: ['prod'],
    });
  });

  it('refuses a value that does not match its checksum, naming the entry and not the value', async () => {
    const entries = [...raw([record('prod/a/one')]), summary(1, 1)];
    entries[1] = { ...entries[1]!, value: `${PLANTED}-changed` };
    const error = await verifyBackup(await bundleOf('checksum', entries), { protection }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'entries[1].sha256' });
    expect(JSON.stringify(error) + String(error)).not.toContain(PLANTED);
  });

  it.each([
    ['without its summary', () => raw([record('prod/a/one')]), 'entries'],
    [
      'whose summary disagrees with what it holds',
      () => [...raw([record('prod/a/one')]), summary(2, 2)],
      'entries',
    ],
    ['cut inside a secret', () => [raw([record('prod/a/one')])[0]!, summary(1, 1)], 'entries[1]'],
    [
      'holding a secret twice',
      () => [...raw([record('prod/a/one'), record('prod/a/one')]), summary(2, 2)],
      'entries',
    ],
    [
      'with a version of another secret',
      () => {
        const entries = raw([record('prod/a/one')]);
        entries[1]!.manifest = { ...entries[1]!.manifest, secret: 'prod/a/other' };
        return [...entries, summary(1, 1)];
      },
      'entries[1].secret',
    ],
    [
      'with no AWSCURRENT version',
      () => {
        const entries = raw([record('prod/a/one')]);
        entries[1]!.manifest = { ...entries[1]!.manifest, stages: ['blue'] };
        return [...entries, summary(1, 1)];
      },
      'entries[0].versions',
    ],
    [
      'with an unknown field',
      () => {
        const entries = raw([record('prod/a/one')]);
        entries[0]!.manifest = { ...entries[0]!.manifest, surprise: true };
        return [...entries, summary(1, 1)];
      },
      'entries[0]',
    ],
  ])('refuses a backup %s', async (name, entries, field) => {
    const path = await bundleOf(name.replace(/\W+/g, '-'), entries());
    await expect(verifyBackup(path, { protection })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field,
    });
  });

  it('refuses a bundle that is not a backup (an export, say)', async () => {
    const path = await bundleOf('export', [summary(0, 0)], 'keystage-export');
    await expect(verifyBackup(path, { protection })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'source',
    });
  });

  it('refuses the wrong protection and an altered byte as BundleAuthenticationErrors', async () => {
    const path = await bundleOf('tamper', [...raw([record('prod/a/one')]), summary(1, 1)]);
    await expect(
      verifyBackup(path, { protection: { passphrase: 'not the right protection' } }),
    ).rejects.toMatchObject({
      code: 'DECODE_ERROR',
      reason: 'wrong-key',
    });
    const bytes = readFileSync(path);
    const at = bytes.length - 40;
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(path, bytes);
    await expect(verifyBackup(path, { protection })).rejects.toMatchObject({
      code: 'DECODE_ERROR',
      reason: 'altered',
    });
  });

  it('reads from a function that opens a stream', async () => {
    const path = await bundleOf('stream', [...raw([record('prod/a/one')]), summary(1, 1)]);
    const bytes = readFileSync(path);
    await expect(verifyBackup(() => Readable.from([bytes]), { protection })).resolves.toMatchObject({
      secrets: 1,
    });
  });
});

describe('restoreBackup of a damaged backup', () => {
  it('with verify (the default), writes nothing', async () => {
    const entries = [...raw([record('prod/a/one'), record('prod/a/two')]), summary(2, 2)];
    entries[3] = { ...entries[3]!, value: 'damaged' };
    const path = await bundleOf('damaged', entries);
    const { client, sent } = recordedClient(local);
    await expect(restoreBackup(client, path, { protection })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
    expect(writesIn(sent)).toEqual([]);
  });

  it('without verify, finds out part-way and rolls back what it wrote', async () => {
    const entries = [...raw([record('prod/a/one'), record('prod/a/two')]), summary(2, 2)];
    entries[3] = { ...entries[3]!, value: 'damaged' };
    const path = await bundleOf('damaged-late', entries);
    const { client, sent } = recordedClient(local);
    const result = await restoreBackup(client, path, { protection, verify: false });
    await local.endpoint.rotationsIdle();
    expect(result).toMatchObject({
      outcome: 'rolled-back',
      failure: { code: 'VALIDATION_ERROR' },
      secrets: [{ name: 'prod/a/one', action: 'create', status: 'rolled-back' }],
    });
    expect(writesIn(sent)).toEqual(['CreateSecretCommand', 'DeleteSecretCommand']);
    expect(await snapshot(local)).toEqual({});
  });

  it('restores a backup read from a stream factory, verifying it first', async () => {
    const source = await backupEndpoint();
    try {
      await seedSource(source);
      const path = join(dir, 'from-source.ksb');
      // The key is named without a client: the SecretsClient's KMS client is used.
      const sourceKey = await source.kms().send(new CreateKeyCommand({}));
      const sourceProtection = { kms: { keyId: sourceKey.KeyMetadata!.Arn! } };
      await createBackup(recordedClient(source).client, {
        environments: ['staging'],
        destination: path,
        protection: sourceProtection,
      });
      const bytes = readFileSync(path);
      const result = await restoreBackup(recordedClient(source).client, () => Readable.from([bytes]), {
        protection: sourceProtection,
      });
      expect(result).toMatchObject({
        outcome: 'restored',
        secrets: [{ name: 'staging/app/db', status: 'unchanged' }],
      });
    } finally {
      await source.endpoint.close();
    }
  });
});

describe('bad arguments', () => {
  it.each([
    ['a missing protection', { destination: 'x' }, 'protection'],
    ['an empty environments list', { destination: 'x', protection: 'set', environments: [] }, 'environments'],
    [
      'a malformed environment',
      { destination: 'x', protection: 'set', environments: ['a/b'] },
      'environments[0]',
    ],
    ['an unknown option', { destination: 'x', protection: 'set', overwrite: true }, 'overwrite'],
    ['a concurrency out of range', { destination: 'x', protection: 'set', concurrency: 0 }, 'concurrency'],
  ])('createBackup refuses %s before any I/O', async (_name, options, field) => {
    const { client, sent } = recordedClient(local);
    const given = { ...options, ...('protection' in options ? { protection } : {}) };
    await expect(createBackup(client, given as never)).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field,
    });
    expect(sent).toEqual([]);
  });

  it.each([
    ['a source that is a bare stream', [Readable.from([]), {}], 'source'],
    ['a malformed environment', ['x', { environment: 'a/b' }], 'environment'],
    ['a non-boolean dryRun', ['x', { dryRun: 'yes' }], 'dryRun'],
    ['an unknown option', ['x', { overwrite: true }], 'overwrite'],
  ])('restoreBackup refuses %s before any I/O', async (_name, args, field) => {
    const { client, sent } = recordedClient(local);
    const [source, options] = args as [never, object];
    await expect(restoreBackup(client, source, { ...options, protection } as never)).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field,
    });
    expect(sent).toEqual([]);
  });

  it('keeps every manifest a plain JSON object', () => {
    for (const entry of recordEntries(record('prod/a/one'))) {
      expect(JSON.parse(JSON.stringify(entry.manifest)) as JsonObject).toEqual(entry.manifest);
    }
  });
});
