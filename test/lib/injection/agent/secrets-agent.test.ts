import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { AuditEntry } from '../../../../lib/audit/audit-event';
import { SecretsClient } from '../../../../lib/client/secrets-client';
import { RotationWatcher, SecretsAgent, startSecretsAgent } from '../../../../lib/injection';
import { AccessPolicy } from '../../../../lib/policy';
import type { Principal } from '../../../../lib/policy/principal';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { TOKEN, call, idleConnection, withToken } from './agent-fixture';

const PLANTED = 'planted-V4lue-9f3e1b';
const DB = 'prod/billing/db';
const workload: Principal = { id: 'billing-api', service: 'billing', environment: 'prod', roles: [] };

let fixture: LocalFixture;
let sm: SecretsManagerClient;
const agents: SecretsAgent[] = [];
const watchers: RotationWatcher[] = [];

beforeAll(async () => {
  fixture = await startLocal();
  sm = fixture.sm();
  await sm.send(
    new CreateSecretCommand({
      Name: DB,
      SecretString: JSON.stringify({ username: 'billing_app', password: PLANTED }),
    }),
  );
  await sm.send(
    new CreateSecretCommand({ Name: 'prod/billing/signing-key', SecretBinary: Buffer.from([0, 1, 2, 250]) }),
  );
});

afterEach(async () => {
  for (const watcher of watchers.splice(0)) watcher.close();
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
});

afterAll(async () => {
  await fixture.endpoint.close();
});

interface Started {
  readonly agent: SecretsAgent;
  readonly client: SecretsClient;
  readonly events: AuditEntry[];
  readonly logs: string[];
}

async function start(
  options: Partial<Parameters<typeof startSecretsAgent>[0]> = {},
  clientOptions: ConstructorParameters<typeof SecretsClient>[0] = {},
): Promise<Started> {
  const events: AuditEntry[] = [];
  const logs: string[] = [];
  const log = (level: string) => (message: string, fields?: object) =>
    logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const client = new SecretsClient({
    secretsManager: fixture.sm(),
    kms: fixture.kms(),
    audit: { record: (event) => void events.push(event) },
    ...clientOptions,
  });
  const agent = await startSecretsAgent({
    client,
    port: 0,
    token: TOKEN,
    watcher: false,
    logger,
    ...options,
  });
  agents.push(agent);
  return { agent, client, events, logs };
}

const json = (body: string): Record<string, unknown> => JSON.parse(body) as Record<string, unknown>;

describe('SecretsAgent', () => {
  describe('GET /ping', () => {
    it('answers healthy without a token', async () => {
      const { agent } = await start();
      const answer = await call(agent.url, '/ping');
      expect(answer).toMatchObject({ status: 200, body: 'healthy' });
    });
  });

  describe('GET /secretsmanager/get', () => {
    it("answers with GetSecretValue's shape, in the Agent's key order", async () => {
      const { agent } = await start();
      const answer = await call(
        agent.url,
        `/secretsmanager/get?secretId=${encodeURIComponent(DB)}`,
        withToken(),
      );
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('application/json');
      expect(answer.headers['cache-control']).toBe('no-store');
      const body = json(answer.body);
      expect(Object.keys(body)).toEqual([
        'ARN',
        'Name',
        'VersionId',
        'SecretString',
        'VersionStages',
        'CreatedDate',
      ]);
      expect(body).toMatchObject({
        ARN: expect.stringMatching(
          /^arn:aws:secretsmanager:us-east-1:\d{12}:secret:prod\/billing\/db-\w{6}$/,
        ),
        Name: DB,
        VersionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        SecretString: JSON.stringify({ username: 'billing_app', password: PLANTED }),
        VersionStages: ['AWSCURRENT'],
        // Epoch seconds with their fraction, as a string: serde_with's TimestampSecondsWithFrac<String>.
        CreatedDate: expect.stringMatching(/^\d{10}(\.\d{1,3})?$/),
      });
      expect(Math.abs(Number(body.CreatedDate) * 1000 - Date.now())).toBeLessThan(10 * 60_000);
    });

    it('answers a binary secret with SecretBinary in base64', async () => {
      const { agent } = await start();
      const answer = await call(
        agent.url,
        '/secretsmanager/get?secretId=prod/billing/signing-key',
        withToken(),
      );
      expect(answer.status).toBe(200);
      const body = json(answer.body);
      expect(body.SecretBinary).toBe(Buffer.from([0, 1, 2, 250]).toString('base64'));
      expect(body).not.toHaveProperty('SecretString');
      // Known to be binary from then on: the second read is one getBinary.
      const again = await call(agent.url, '/v1/prod/billing/signing-key', withToken());
      expect(json(again.body).SecretBinary).toBe(body.SecretBinary);
    });

    it('selects by versionStage and by versionId', async () => {
      const name = 'prod/billing/staged';
      await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'first-value' }));
      const second = await sm.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: 'second-value' }),
      );
      const { agent } = await start();
      const previous = json(
        (await call(agent.url, `/v1/${name}?versionStage=AWSPREVIOUS`, withToken())).body,
      );
      expect(previous).toMatchObject({ SecretString: 'first-value', VersionStages: ['AWSPREVIOUS'] });
      const byId = json(
        (await call(agent.url, `/v1/${name}?versionId=${second.VersionId!}`, withToken())).body,
      );
      expect(byId).toMatchObject({
        SecretString: 'second-value',
        VersionId: second.VersionId,
        VersionStages: ['AWSCURRENT'],
      });
      const both = await call(
        agent.url,
        `/secretsmanager/get?secretId=${name}&versionId=${second.VersionId!}&versionStage=AWSPREVIOUS`,
        withToken(),
      );
      // The service's own answer to the mismatch, passed through.
      const direct = await sm
        .send(
          new GetSecretValueCommand({
            SecretId: name,
            VersionId: second.VersionId,
            VersionStage: 'AWSPREVIOUS',
          }),
        )
        .catch((error: { name: string; message: string; $metadata: { httpStatusCode: number } }) => error);
      expect(direct).toMatchObject({ name: expect.stringMatching(/Exception$/) });
      const failed = direct as { name: string; message: string; $metadata: { httpStatusCode: number } };
      expect(both.status).toBe(failed.$metadata.httpStatusCode);
      expect(json(both.body)).toEqual({ __type: failed.name, message: failed.message });
    });

    it('takes the secret id of /v1/ encoded or not', async () => {
      const { agent } = await start();
      const plain = await call(agent.url, '/v1/prod/billing/db', withToken());
      const encoded = await call(agent.url, '/v1/prod%2Fbilling%2Fdb', withToken());
      expect(plain.status).toBe(200);
      expect(json(encoded.body)).toEqual(json(plain.body));
    });

    it('answers a missing secret as the service does, with no value in the body', async () => {
      const { agent } = await start();
      const answer = await call(agent.url, '/secretsmanager/get?secretId=prod/billing/missing', withToken());
      expect(answer.status).toBe(400);
      expect(json(answer.body)).toEqual({
        __type: 'ResourceNotFoundException',
        message: expect.any(String),
      });
      const stage = await call(agent.url, `/v1/${DB}?versionStage=NOSUCHSTAGE`, withToken());
      expect(stage.status).toBe(400);
      expect(json(stage.body).__type).toBe('ResourceNotFoundException');
      expect(answer.body + stage.body).not.toContain(PLANTED);
    });

    it('describes a secret once for a stage it does not have, then lets the service answer', async () => {
      const { agent, events } = await start();
      const answer = await call(agent.url, `/v1/${DB}?versionStage=NOSUCHSTAGE`, withToken());
      expect(answer.status).toBe(400);
      expect(events.map((event) => [event.action, event.success])).toEqual([
        ['describe', true],
        ['get', false],
      ]);
      // Described earlier, so asked once more in case the stage is new.
      await call(agent.url, `/v1/${DB}?versionStage=NOSUCHSTAGE`, withToken());
      expect(events.filter((event) => event.action === 'describe')).toHaveLength(2);
    });

    it('answers a malformed id or version id as InvalidParameterException, before any call', async () => {
      const { agent, events } = await start();
      const id = await call(agent.url, '/v1/prod:billing', withToken());
      expect(id.status).toBe(400);
      expect(json(id.body)).toMatchObject({ __type: 'InvalidParameterException' });
      const version = await call(agent.url, `/v1/${DB}?versionId=short`, withToken());
      expect(version.status).toBe(400);
      expect(json(version.body)).toMatchObject({ __type: 'InvalidParameterException' });
      expect(events).toEqual([]);
      expect(id.body + version.body).toMatch(/secretId .*versionId/s);
    });

    it('answers an access-policy refusal as AccessDeniedException, naming no value', async () => {
      const policy = new AccessPolicy({
        rules: [{ id: 'metadata-only', effect: 'allow', secrets: ['prod/**'], operations: ['list'] }],
      });
      const { agent, events } = await start({ principal: workload }, { policy });
      const answer = await call(agent.url, `/v1/${DB}`, withToken());
      expect(answer.status).toBe(400);
      expect(json(answer.body)).toMatchObject({ __type: 'AccessDeniedException' });
      expect(answer.body).not.toContain(PLANTED);
      expect(events.find((event) => event.action === 'get')).toMatchObject({
        event_type: 'access_denied',
        success: false,
        user_id: 'billing-api',
      });
    });
  });

  describe('audit', () => {
    it('records every read as a get by the workload, with the source address and User-Agent', async () => {
      const { agent, events } = await start({ principal: workload });
      for (let i = 0; i < 3; i++) {
        await call(agent.url, `/v1/${DB}`, withToken({ 'User-Agent': 'billing-api/1.2' }));
      }
      const gets = events.filter((event) => event.action === 'get');
      expect(gets).toHaveLength(3);
      for (const event of gets) {
        expect(event).toMatchObject({
          event_type: 'secret_access',
          secret_name: DB,
          success: true,
          user_id: 'billing-api',
          ip_address: '127.0.0.1',
          user_agent: 'billing-api/1.2',
          version_id: expect.any(String),
        });
      }
      // The value was fetched once; the reads after it are cache hits, recorded as such.
      expect(gets.map((event) => event.cache_hit)).toEqual([false, true, true]);
      // What DescribeSecret said is reused within the TTL: one describe for three requests.
      expect(events.filter((event) => event.action === 'describe')).toHaveLength(1);
      expect(JSON.stringify(events)).not.toContain(PLANTED);
    });
  });

  describe('refresh', () => {
    it('serves what it described until the TTL, as the Agent does, and at once for refreshNow', async () => {
      const name = 'prod/billing/ttl';
      await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'ttl-one' }));
      let now = Date.UTC(2026, 0, 1);
      const { agent } = await start({ ttlMs: 60_000, now: () => now });
      expect(json((await call(agent.url, `/v1/${name}`, withToken())).body).SecretString).toBe('ttl-one');
      await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'ttl-two' }));
      now += 59_000;
      expect(json((await call(agent.url, `/v1/${name}`, withToken())).body).SecretString).toBe('ttl-one');
      expect(
        json((await call(agent.url, `/v1/${name}?refreshNow=true`, withToken())).body).SecretString,
      ).toBe('ttl-two');
      await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'ttl-three' }));
      now += 61_000;
      expect(json((await call(agent.url, `/v1/${name}`, withToken())).body).SecretString).toBe('ttl-three');
    });

    it('serves a rotated secret as soon as the watcher sees AWSCURRENT move, without refreshNow', async () => {
      const name = 'prod/billing/rotated';
      await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'before-rotation' }));
      const client = new SecretsClient({ secretsManager: fixture.sm(), kms: fixture.kms() });
      const watcher = new RotationWatcher(client, { intervalMs: 3_600_000 });
      watchers.push(watcher);
      const agent = await startSecretsAgent({ client, port: 0, token: TOKEN, watcher });
      agents.push(agent);
      expect(json((await call(agent.url, `/v1/${name}`, withToken())).body).SecretString).toBe(
        'before-rotation',
      );
      await watcher.ready(name);
      const put = await sm.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: 'after-rotation' }),
      );
      // The TTL is 5 minutes; the watcher's refresh stands in for its next poll or a pushed event.
      await expect(watcher.refreshNow(name)).resolves.toMatchObject({
        changed: true,
        versionId: put.VersionId,
      });
      const answer = json((await call(agent.url, `/v1/${name}`, withToken())).body);
      expect(answer).toMatchObject({ SecretString: 'after-rotation', VersionId: put.VersionId });
    });

    it('stops watching a secret it no longer keeps, beyond maxSecrets', async () => {
      const client = new SecretsClient({ secretsManager: fixture.sm(), kms: fixture.kms() });
      const watcher = new RotationWatcher(client, { intervalMs: 3_600_000 });
      watchers.push(watcher);
      const agent = await startSecretsAgent({ client, port: 0, token: TOKEN, watcher, maxSecrets: 1 });
      agents.push(agent);
      await call(agent.url, `/v1/${DB}`, withToken());
      await call(agent.url, '/v1/prod/billing/signing-key', withToken());
      expect(agent.stats().secrets).toBe(1);
      expect(watcher.stats().listeners).toBe(1);
    });
  });

  describe('refusals', () => {
    const refusals: ReadonlyArray<readonly [string, string, Parameters<typeof call>[2], number, string]> = [
      ['no token', `/v1/${DB}`, {}, 403, 'Bad Token'],
      [
        'a wrong token',
        `/v1/${DB}`,
        { headers: { 'X-Aws-Parameters-Secrets-Token': `${TOKEN}x` } },
        403,
        'Bad Token',
      ],
      ['the token in another header', `/v1/${DB}`, { headers: { Authorization: TOKEN } }, 403, 'Bad Token'],
      ['a forwarded request', `/v1/${DB}`, withToken({ 'X-Forwarded-For': '10.0.0.9' }), 400, 'Forwarded'],
      [
        'a non-loopback Host',
        `/v1/${DB}`,
        { ...withToken(), host: 'attacker.example:2773' },
        403,
        'Bad Host',
      ],
      ['a private-address Host', `/v1/${DB}`, { ...withToken(), host: '10.0.0.5' }, 403, 'Bad Host'],
      ['a non-loopback Host on /ping', '/ping', { host: 'rebound.example' }, 403, 'Bad Host'],
      ['a POST', `/v1/${DB}`, { ...withToken(), method: 'POST' }, 405, 'Not allowed'],
      ['an unknown path', '/secretsmanager/put', withToken(), 404, 'Not found'],
      [
        'an unknown parameter',
        `/secretsmanager/get?secretId=${DB}&stage=AWSCURRENT`,
        withToken(),
        400,
        'unknown parameter: stage',
      ],
      [
        'no secretId',
        '/secretsmanager/get?versionStage=AWSCURRENT',
        withToken(),
        400,
        'missing parameter secretId',
      ],
      ['no secret id in the path', '/v1/', withToken(), 400, 'missing secret ID'],
      ['a bad refreshNow', `/v1/${DB}?refreshNow=yes`, withToken(), 400, 'invalid refreshNow value'],
    ];

    it.each(refusals)(
      'refuses %s with the Agent status and message, reading nothing',
      async (_what, path, request, status, message) => {
        const { agent, events, logs } = await start();
        const answer = await call(agent.url, path, request);
        expect({ status: answer.status, body: answer.body }).toEqual({ status, body: message });
        expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
        expect(events).toEqual([]);
        expect(agent.stats()).toMatchObject({ requests: 1, refused: 1, served: 0 });
        expect(logs.join('\n')).toContain(`"status":${status}`);
        expect(answer.body + logs.join('\n')).not.toContain(PLANTED);
        expect(logs.join('\n')).not.toContain(TOKEN);
      },
    );

    it('accepts the token in X-Vault-Token', async () => {
      const { agent } = await start();
      const answer = await call(agent.url, `/v1/${DB}`, { headers: { 'X-Vault-Token': TOKEN } });
      expect(answer.status).toBe(200);
    });

    it('accepts localhost and [::1] as the Host', async () => {
      const { agent } = await start();
      for (const host of [`localhost:${agent.port}`, 'LOCALHOST', `[::1]:${agent.port}`, '127.0.0.1']) {
        expect((await call(agent.url, `/v1/${DB}`, { ...withToken(), host })).status).toBe(200);
      }
    });

    it('answers 429 on a connection beyond maxConnections, with two more for /ping', async () => {
      const { agent } = await start({ maxConnections: 1 });
      const held = await idleConnection(agent.url);
      try {
        const refused = await call(agent.url, `/v1/${DB}`, withToken());
        expect({ status: refused.status, body: refused.body }).toEqual({
          status: 429,
          body: 'Connection limit exceeded',
        });
        expect((await call(agent.url, '/ping')).status).toBe(200);
      } finally {
        held.destroy();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await call(agent.url, `/v1/${DB}`, withToken())).status).toBe(200);
    });
  });

  describe('start', () => {
    it('reads the token from AWS_TOKEN, or from the file a file:// value names', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'keystage-agent-'));
      try {
        writeFileSync(join(dir, 'awssmatoken'), 'file-token-3e1\n');
        const fromFile = await start({
          token: undefined,
          env: { AWS_TOKEN: `file://${join(dir, 'awssmatoken')}` },
        });
        expect(
          (
            await call(fromFile.agent.url, `/v1/${DB}`, {
              headers: { 'X-Aws-Parameters-Secrets-Token': 'file-token-3e1' },
            })
          ).status,
        ).toBe(200);
        const fromSession = await start({ token: undefined, env: { AWS_SESSION_TOKEN: 'session-token-77' } });
        expect(
          (
            await call(fromSession.agent.url, `/v1/${DB}`, {
              headers: { 'X-Aws-Parameters-Secrets-Token': 'session-token-77' },
            })
          ).status,
        ).toBe(200);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('refuses to start without a token, with an empty one, or with an unreadable token file', async () => {
      const client = new SecretsClient({ secretsManager: fixture.sm(), kms: fixture.kms() });
      await expect(startSecretsAgent({ client, port: 0, env: {}, watcher: false })).rejects.toMatchObject({
        code: 'CONFIGURATION_ERROR',
        variable: 'AWS_TOKEN',
      });
      await expect(
        startSecretsAgent({ client, port: 0, env: { AWS_TOKEN: '' }, watcher: false }),
      ).rejects.toMatchObject({
        code: 'CONFIGURATION_ERROR',
        variable: 'AWS_TOKEN',
      });
      await expect(
        startSecretsAgent({
          client,
          port: 0,
          env: { AWS_TOKEN: 'file:///nonexistent/keystage-token' },
          watcher: false,
        }),
      ).rejects.toMatchObject({ code: 'CONFIGURATION_ERROR', message: expect.stringContaining('ENOENT') });
    });

    it('checks its options before anything else', async () => {
      const client = new SecretsClient({ secretsManager: fixture.sm(), kms: fixture.kms() });
      const base = { client, port: 0, token: TOKEN, watcher: false } as const;
      await expect(startSecretsAgent({ ...base, host: '0.0.0.0' as never })).rejects.toMatchObject({
        field: 'host',
      });
      await expect(startSecretsAgent({ ...base, maxConnections: 0 })).rejects.toMatchObject({
        field: 'maxConnections',
      });
      await expect(startSecretsAgent({ ...base, ttlMs: -1 })).rejects.toMatchObject({ field: 'ttlMs' });
      await expect(startSecretsAgent({ ...base, pathPrefix: 'v1' })).rejects.toMatchObject({
        field: 'pathPrefix',
      });
      await expect(startSecretsAgent({ ...base, tokenHeaders: ['bad header'] })).rejects.toMatchObject({
        field: 'tokenHeaders[0]',
      });
      await expect(startSecretsAgent({ ...base, prot: 2773 } as never)).rejects.toMatchObject({
        field: 'prot',
      });
      await expect(startSecretsAgent({ ...base, client: {} as never })).rejects.toMatchObject({
        field: 'client',
      });
    });

    it('refuses a port in use with a ValidationError naming the port', async () => {
      const { agent } = await start();
      const client = new SecretsClient({ secretsManager: fixture.sm(), kms: fixture.kms() });
      await expect(
        startSecretsAgent({ client, port: agent.port, token: TOKEN, watcher: false }),
      ).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
        field: 'port',
        message: expect.stringContaining('EADDRINUSE'),
      });
    });

    it('shows no token in JSON.stringify or util.inspect', async () => {
      const { agent } = await start();
      expect(JSON.stringify(agent)).not.toContain(TOKEN);
      expect(inspect(agent, { depth: 10, showHidden: true })).not.toContain(TOKEN);
      expect(JSON.parse(JSON.stringify(agent))).toMatchObject({ url: agent.url });
    });

    it('watches with a watcher of its own when none is given, and closes it', async () => {
      const { agent } = await start({ watcher: undefined });
      expect((await call(agent.url, `/v1/${DB}`, withToken())).status).toBe(200);
      await agent.close();
      await expect(call(agent.url, '/ping')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    });
  });
});
