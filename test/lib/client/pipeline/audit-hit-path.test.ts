import {
  GetSecretValueCommand,
  SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { AuditEntry, AuditSink } from '../../../../lib/audit';
import { SecretCache } from '../../../../lib/cache';
import { callStageSource } from '../../../../lib/client/cache-source';
import { get } from '../../../../lib/client/operations/read';
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
});
