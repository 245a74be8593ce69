import { SecretCache } from '../../../../lib/cache';
import { PermissionDeniedError, ThrottledError, ValidationError } from '../../../../lib/errors';
import { silentLogger } from '../../../../lib/observability';
import type { Principal } from '../../../../lib/client/access';
import type { Invocation, Operation } from '../../../../lib/client/operation';
import { get, getJson } from '../../../../lib/client/operations/read';
import {
  CallStage,
  Pipeline,
  PolicyAuthorizer,
  PolicyRateLimiter,
  authorizeStage,
  cacheStage,
  rateLimitStage,
  validateStage,
  type Authorizer,
  type RateLimiter,
  type ServiceClients,
  type Stage,
} from '../../../../lib/client/pipeline';
import { InProcessRateLimitStore } from '../../../../lib/policy/rate-limit-in-process';
import { FakeClock } from '../../../support/fake-clock';
import { FakeSource } from '../../../support/fake-source';
import { ALICE, BOB, RecordingPolicy, allowAll } from '../governance-fixture';

const NO_CLIENTS = {} as ServiceClients;

/** What the stage in the audit stage's place saw of one call: the fields the audit trail needs. */
interface Seen {
  readonly operation: string;
  readonly principal: Principal | undefined;
  readonly decision: Invocation['decision'];
  readonly cacheHit: boolean;
  readonly versionId: string | undefined;
  readonly error: unknown;
}

interface Harness {
  readonly pipeline: Pipeline;
  readonly trace: string[];
  readonly seen: Seen[];
}

/**
 * A stage where the audit stage stands (after validate, around everything else) that
 * records what the audit stage would be given, success or failure.
 */
function observer(trace: string[], seen: Seen[]): Stage {
  const record = (invocation: Invocation, error: unknown) => {
    trace.push('audit');
    seen.push({
      operation: invocation.operation.name,
      principal: invocation.principal,
      decision: invocation.decision,
      cacheHit: invocation.cacheHit,
      versionId: invocation.versionId,
      error,
    });
  };
  return {
    name: 'audit',
    wrap: (_operation, next) => async (invocation) => {
      try {
        const result = await next(invocation);
        record(invocation, undefined);
        return result;
      } catch (error) {
        record(invocation, error);
        throw error;
      }
    },
    wrapHit: () => undefined,
  };
}

/** A pipeline with every stage, recording what each one saw. */
function harness(
  options: {
    authorizer?: Authorizer;
    limiter?: RateLimiter;
    cache?: SecretCache;
    principal?: Principal;
    trace?: string[];
    observe?: boolean;
  } = {},
): Harness {
  const trace = options.trace ?? [];
  const seen: Seen[] = [];
  const clock = new FakeClock();
  const pipeline = new Pipeline(
    [
      validateStage,
      ...(options.observe === false ? [] : [observer(trace, seen)]),
      authorizeStage(options.authorizer),
      rateLimitStage(options.limiter),
      cacheStage(options.cache),
    ],
    new CallStage(NO_CLIENTS, silentLogger, clock),
    options.principal,
  );
  return { pipeline, trace, seen };
}

/** A write-like operation that records its validation and its call. */
function tagLike(trace: string[]): Operation<[id: string], string, { arn: string }> {
  return {
    name: 'tag',
    kind: 'manage',
    validate: (id) => {
      trace.push('validate');
      if (id === '') throw new ValidationError('id', 'id is empty');
      return id;
    },
    secretId: (id) => id,
    call: async (id) => {
      trace.push('call');
      return { arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${id}-AbCdEf` };
    },
    audit: { action: 'tag', describe: () => ({ details: { keys: ['k'] } }) },
  };
}

function tracingAuthorizer(trace: string[], allow = true): Authorizer {
  return {
    authorize: (invocation: Invocation) => {
      trace.push(`authorize ${invocation.operation.name}`);
      if (!allow) throw new PermissionDeniedError('denied by policy', { secretId: String(invocation.input) });
    },
  };
}

describe('Pipeline', () => {
  it('runs validate, authorize, rate-limit and call in order, and writes the audit event last', async () => {
    const trace: string[] = [];
    const limiter: RateLimiter = { acquire: () => void trace.push('rate-limit') };
    const h = harness({ authorizer: tracingAuthorizer(trace), limiter, trace });
    await h.pipeline.run(tagLike(trace), ['prod/db']);
    expect(trace).toEqual(['validate', 'authorize tag', 'rate-limit', 'call', 'audit']);
    expect(h.seen).toHaveLength(1);
  });

  it('refuses bad arguments before any other stage, as a rejected promise', async () => {
    const trace: string[] = [];
    const h = harness({ authorizer: tracingAuthorizer(trace) });
    const result = h.pipeline.run(tagLike(trace), ['']);
    await expect(result).rejects.toMatchObject({ code: 'VALIDATION_ERROR', field: 'id' });
    expect(trace).toEqual(['validate']);
    expect(h.seen).toEqual([]);
  });

  it('hands a denial to the audit stage as a failure, which never reaches the call', async () => {
    const trace: string[] = [];
    const h = harness({ authorizer: tracingAuthorizer(trace, false), principal: ALICE, trace });
    await expect(h.pipeline.run(tagLike(trace), ['prod/db'])).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(trace).toEqual(['validate', 'authorize tag', 'audit']);
    expect(h.seen).toEqual([
      expect.objectContaining({
        operation: 'tag',
        principal: ALICE,
        error: expect.any(PermissionDeniedError),
      }),
    ]);
  });

  describe('what the audit stage is given', () => {
    const policy = new RecordingPolicy([
      allowAll({ id: 'twice', maxRequestsPerHour: 2 }),
      allowAll({ id: 'no-secrets', effect: 'deny', secrets: ['prod/secret'] }),
    ]);
    const governed = (principal?: Principal) =>
      harness({
        authorizer: new PolicyAuthorizer(policy),
        limiter: new PolicyRateLimiter(new InProcessRateLimitStore(), new FakeClock()),
        ...(principal === undefined ? {} : { principal }),
      });

    it('the version a read answered with, from the service and then from the cache', async () => {
      const source = new FakeSource();
      const v1 = 'v1'.padEnd(32, '0');
      source.put('prod/db', v1, 'the value');
      const h = harness({ cache: new SecretCache(source), principal: ALICE });
      for (let i = 0; i < 2; i++) await h.pipeline.run(get, ['prod/db', {}]);
      expect(h.seen.map(({ cacheHit, versionId }) => ({ cacheHit, versionId }))).toEqual([
        { cacheHit: false, versionId: v1 },
        { cacheHit: true, versionId: v1 },
      ]);
    });

    it('the principal passed with the call, over the client’s', async () => {
      const h = governed(ALICE);
      await h.pipeline.run(tagLike([]), ['prod/db'], BOB);
      expect(h.seen[0]?.principal).toBe(BOB);
    });

    it('the decision that allowed the call', async () => {
      const h = governed(ALICE);
      await h.pipeline.run(tagLike([]), ['prod/db']);
      expect(h.seen[0]?.decision).toEqual({
        allowed: true,
        rule: 'twice',
        reason: 'allowed by rule twice',
        maxRequestsPerHour: 2,
      });
    });

    it('the decision and error of a denial, with its rule and reason', async () => {
      const h = governed(ALICE);
      await expect(h.pipeline.run(tagLike([]), ['prod/secret'])).rejects.toThrow(PermissionDeniedError);
      expect(h.seen[0]).toMatchObject({
        decision: { allowed: false, rule: 'no-secrets' },
        error: {
          code: 'PERMISSION_DENIED',
          rule: 'no-secrets',
          reason: expect.stringMatching(/^denied by rule no-secrets/),
        },
      });
    });

    it('a default deny for a call without any principal', async () => {
      const h = governed();
      await expect(h.pipeline.run(tagLike([]), ['prod/db'])).rejects.toThrow(PermissionDeniedError);
      expect(h.seen[0]).toMatchObject({
        principal: undefined,
        decision: {
          allowed: false,
          rule: undefined,
          reason: expect.stringMatching(/^no principal was given/),
        },
      });
    });

    it('the error of a throttled call, with the decision that allowed it', async () => {
      const h = governed(ALICE);
      for (let i = 0; i < 2; i++) await h.pipeline.run(tagLike([]), ['prod/db']);
      await expect(h.pipeline.run(tagLike([]), ['prod/db'])).rejects.toThrow(ThrottledError);
      expect(h.seen[2]).toMatchObject({
        decision: { allowed: true, rule: 'twice' },
        error: { code: 'THROTTLED', rule: 'twice', retryAfterMs: 1_800_000 },
      });
    });
  });

  describe('hit path', () => {
    const source = new FakeSource();
    source.put('prod/db', 'v1'.padEnd(32, '0'), 'the value');
    let built: ((id: string) => Promise<string> | undefined) | undefined;
    const hitPath = (cache: SecretCache) => (built = (id: string) => cache.peekText(id, {}));
    const read: Operation<[id: string], string, string> = {
      name: 'get',
      kind: 'read',
      validate: (id) => id,
      secretId: (id) => id,
      call: async () => 'from the service',
      cache: { serve: async (cache, id) => (await cache.get(id, {})).text ?? '', hitPath },
    };

    it('is the operation’s own cache lookup, unwrapped, when no stage needs to see hits', async () => {
      const cache = new SecretCache(source);
      const path = harness({ cache, observe: false }).pipeline.hitPath(read);
      expect(path).toBe(built);
      expect(path!('prod/db')).toBeUndefined(); // a miss: the caller takes the full path
      await cache.get('prod/db');
      await expect(path!('prod/db')).resolves.toBe('the value');
    });

    it('does not exist when an authorizer must see every read', () => {
      const cache = new SecretCache(source);
      expect(
        harness({ cache, authorizer: tracingAuthorizer([]), observe: false }).pipeline.hitPath(read),
      ).toBeUndefined();
    });

    it('does not exist when a rate limit counts every read', () => {
      const cache = new SecretCache(source);
      expect(
        harness({ cache, limiter: { acquire: () => undefined }, observe: false }).pipeline.hitPath(read),
      ).toBeUndefined();
    });

    it('does not exist without a cache', () => {
      expect(harness({ observe: false }).pipeline.hitPath(read)).toBeUndefined();
    });
  });

  it('tells the stages in front of the cache whether it answered a read from memory', async () => {
    const source = new FakeSource();
    source.put('prod/db', 'v1'.padEnd(32, '0'), '{"user":"app"}');
    const cache = new SecretCache(source);
    const seen: boolean[] = [];
    const hits: Stage = {
      name: 'audit',
      wrap: (_operation, next) => async (invocation) => {
        const result = await next(invocation);
        seen.push(invocation.cacheHit);
        return result;
      },
      wrapHit: () => undefined,
    };
    const pipeline = new Pipeline(
      [validateStage, hits, cacheStage(cache)],
      new CallStage(NO_CLIENTS, silentLogger, new FakeClock()),
      undefined,
    );
    for (const operation of [get, getJson, get]) await pipeline.run(operation, ['prod/db', {}]);
    expect(seen).toEqual([false, true, true]);
    expect(source.calls).toHaveLength(1);
  });

  describe('stream', () => {
    const listLike = (calls: string[]): Operation<[prefix: string], string, AsyncIterable<string>> => ({
      name: 'list',
      kind: 'list',
      validate: (prefix) => {
        if (prefix === '!') throw new ValidationError('prefix', 'bad prefix');
        return prefix;
      },
      secretId: () => undefined,
      call: async (prefix) =>
        (async function* () {
          calls.push('page');
          yield `${prefix}a`;
        })(),
    });

    it('throws a validation failure at once', () => {
      expect(() => harness().pipeline.stream(listLike([]), ['!'])).toThrow(ValidationError);
    });

    it('sends nothing until iterated', async () => {
      const calls: string[] = [];
      const stream = harness().pipeline.stream(listLike(calls), ['p/']);
      expect(calls).toEqual([]);
      const items: string[] = [];
      for await (const item of stream) items.push(item);
      expect(items).toEqual(['p/a']);
      expect(calls).toEqual(['page']);
    });

    it('surfaces a denial when iterated, and not before', async () => {
      const stream = harness({ authorizer: tracingAuthorizer([], false) }).pipeline.stream(listLike([]), [
        'p/',
      ]);
      await expect(stream[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(PermissionDeniedError);
    });
  });
});
