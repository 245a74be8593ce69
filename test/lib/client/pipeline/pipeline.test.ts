import type { AuditEvent } from '../../../../lib/audit';
import { SecretCache } from '../../../../lib/cache';
import { PermissionDeniedError, ValidationError } from '../../../../lib/errors';
import { silentLogger } from '../../../../lib/observability';
import type { Invocation, Operation } from '../../../../lib/client/operation';
import { get, getJson } from '../../../../lib/client/operations/read';
import {
  CallStage,
  Pipeline,
  auditStage,
  authorizeStage,
  cacheStage,
  rateLimitStage,
  validateStage,
  type Authorizer,
  type RateLimiter,
  type ServiceClients,
  type Stage,
} from '../../../../lib/client/pipeline';
import { FakeClock } from '../../../support/fake-clock';
import { FakeSource } from '../../../support/fake-source';

const NO_CLIENTS = {} as ServiceClients;

interface Harness {
  readonly pipeline: Pipeline;
  readonly trace: string[];
  readonly events: AuditEvent[];
}

/** A pipeline with every stage, recording what each one saw. */
function harness(
  options: {
    authorizer?: Authorizer;
    limiter?: RateLimiter;
    cache?: SecretCache;
    principal?: string;
    trace?: string[];
  } = {},
): Harness {
  const trace = options.trace ?? [];
  const events: AuditEvent[] = [];
  const clock = new FakeClock();
  const pipeline = new Pipeline(
    [
      validateStage,
      auditStage({
        sink: { record: (event) => void (trace.push('audit'), events.push(event)) },
        failClosed: false,
        clock,
        logger: silentLogger,
      }),
      authorizeStage(options.authorizer),
      rateLimitStage(options.limiter),
      cacheStage(options.cache),
    ],
    new CallStage(NO_CLIENTS, silentLogger, clock),
    options.principal,
  );
  return { pipeline, trace, events };
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
  });

  it('refuses bad arguments before any other stage, as a rejected promise', async () => {
    const trace: string[] = [];
    const h = harness({ authorizer: tracingAuthorizer(trace) });
    const result = h.pipeline.run(tagLike(trace), ['']);
    await expect(result).rejects.toMatchObject({ code: 'VALIDATION_ERROR', field: 'id' });
    expect(trace).toEqual(['validate']);
    expect(h.events).toEqual([]);
  });

  it('audits a denial, which never reaches the call', async () => {
    const trace: string[] = [];
    const h = harness({ authorizer: tracingAuthorizer(trace, false), principal: 'billing' });
    await expect(h.pipeline.run(tagLike(trace), ['prod/db'])).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(trace).toEqual(['validate', 'authorize tag']);
    expect(h.events).toEqual([
      expect.objectContaining({
        action: 'tag',
        secret: 'prod/db',
        success: false,
        reason: 'PERMISSION_DENIED',
        principal: 'billing',
      }),
    ]);
  });

  it('names the secret by the ARN the call returned in a successful event', async () => {
    const h = harness();
    await h.pipeline.run(tagLike([]), ['prod/db']);
    expect(h.events).toEqual([
      expect.objectContaining({
        eventType: 'keystage.secret.tag',
        secret: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf',
        success: true,
        details: { keys: ['k'] },
      }),
    ]);
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
      const path = harness({ cache }).pipeline.hitPath(read);
      expect(path).toBe(built);
      expect(path!('prod/db')).toBeUndefined(); // a miss: the caller takes the full path
      await cache.get('prod/db');
      await expect(path!('prod/db')).resolves.toBe('the value');
    });

    it('does not exist when an authorizer must see every read', () => {
      const cache = new SecretCache(source);
      expect(harness({ cache, authorizer: tracingAuthorizer([]) }).pipeline.hitPath(read)).toBeUndefined();
    });

    it('does not exist when a rate limit counts every read', () => {
      const cache = new SecretCache(source);
      expect(
        harness({ cache, limiter: { acquire: () => undefined } }).pipeline.hitPath(read),
      ).toBeUndefined();
    });

    it('does not exist without a cache', () => {
      expect(harness().pipeline.hitPath(read)).toBeUndefined();
    });
  });

  it('tells the stages in front of the cache whether it answered a read from memory', async () => {
    const source = new FakeSource();
    source.put('prod/db', 'v1'.padEnd(32, '0'), '{"user":"app"}');
    const cache = new SecretCache(source);
    const seen: boolean[] = [];
    const observer: Stage = {
      name: 'audit',
      wrap: (_operation, next) => async (invocation) => {
        const result = await next(invocation);
        seen.push(invocation.cacheHit);
        return result;
      },
      wrapHit: () => undefined,
    };
    const pipeline = new Pipeline(
      [validateStage, observer, cacheStage(cache)],
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
