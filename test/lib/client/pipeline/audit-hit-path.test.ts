import {
  GetSecretValueCommand,
  SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { AuditEntry, AuditSink } from '../../../../lib/audit';
import { SecretCache } from '../../../../lib/cache';
import { callStageSource } from '../../../../lib/client/cache-source';
import { get, getBinary } from '../../../../lib/client/operations/read';
import { tag } from '../../../../lib/client/operations/tags';
import { CallStage, Pipeline, auditStage, cacheStage, validateStage } from '../../../../lib/client/pipeline';
import { silentLogger } from '../../../../lib/observability';
import { arnOf, meta, sm, version } from '../../../support/client-fixture';
import { FakeClock } from '../../../support/fake-clock';
import { ALICE } from '../governance-fixture';

const NAME = 'prod/billing/db';

/** A pipeline over the SDK mock with a cache, and the audit stage as given. */
function pipeline(sink: AuditSink | undefined, reads?: boolean) {
  sm.reset();
  sm.on(GetSecretValueCommand).resolves({
    ARN: arnOf(NAME),
    Name: NAME,
    SecretString: 'v',
    VersionId: version('v1'),
  });
  sm.on(TagResourceCommand).resolves(meta);
  const clock = new FakeClock();
  const call = new CallStage(
    { secretsManager: new SecretsManagerClient({ maxAttempts: 1 }), kms: undefined as unknown as KMSClient },
    silentLogger,
    clock,
  );
  const cache = new SecretCache(callStageSource(call), { now: () => clock.now() });
  const stages = [
    validateStage,
    auditStage({
      sink,
      failClosed: false,
      clock,
      logger: silentLogger,
      ...(reads === undefined ? {} : { reads }),
    }),
    cacheStage(cache),
  ];
  return new Pipeline(stages, call, ALICE);
}

function recording(): AuditSink & { entries: AuditEntry[] } {
  const entries: AuditEntry[] = [];
  return { entries, record: (entry) => void entries.push(entry) };
}

describe('the audit stage and the cache’s hit path', () => {
  it('takes the hit path away when reads are audited (the default once there is a sink), so hits are recorded', () => {
    expect(pipeline(recording()).hitPath(get)).toBeUndefined();
  });

  it('leaves the hit path alone without a sink', () => {
    expect(pipeline(undefined).hitPath(get)).toBeInstanceOf(Function);
  });

  it('leaves the hit path alone with reads: false', () => {
    expect(pipeline(recording(), false).hitPath(get)).toBeInstanceOf(Function);
  });

  it('with reads: false, records changes but not reads', async () => {
    const sink = recording();
    const p = pipeline(sink, false);
    await p.run(get, [NAME, {}]);
    await p.run(tag, [NAME, { owner: 'billing' }, {}]);
    expect(sink.entries.map((entry) => entry.action)).toEqual(['tag']);
  });

  describe('a hit through the audit stage', () => {
    it('is recorded before the call returns: no promise, no turn of the event loop, between the cache and the audit stage', async () => {
      const sink = recording();
      const p = pipeline(sink);
      await p.run(get, [NAME, {}]); // a miss: the value is cached
      const pending = p.run(get, [NAME, {}]);
      expect(sink.entries.map((entry) => entry.cache_hit)).toEqual([false, true]);
      await expect(pending).resolves.toBe('v');
    });

    it('that cannot be decoded is a rejection, recorded as a failed hit', async () => {
      const sink = recording();
      const p = pipeline(sink);
      sm.on(GetSecretValueCommand).resolves({
        ARN: arnOf(NAME),
        Name: NAME,
        SecretBinary: new Uint8Array([1, 2, 3]),
        VersionId: version('v1'),
      });
      await p.run(getBinary, [NAME, {}]);
      let pending: Promise<string> | undefined;
      expect(() => (pending = p.run(get, [NAME, {}]))).not.toThrow();
      await expect(pending).rejects.toMatchObject({ code: 'DECODE_ERROR' });
      expect(sink.entries.at(-1)).toMatchObject({
        action: 'get',
        cache_hit: true,
        success: false,
        reason: 'DECODE_ERROR',
        version_id: version('v1'),
      });
    });
  });
});
