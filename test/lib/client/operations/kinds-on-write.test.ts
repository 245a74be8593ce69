import {
  CreateSecretCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { inspect } from 'node:util';
import { SecretsClient, ValidationError } from '../../../../lib';
import { OutputCapture } from '../../../support/output-capture';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';

// The kinds on the write path, through the real SDK against the local endpoint: create
// generates or checks a value by its kind, put checks a new version against the kind in the
// secret's keystage:type tag, and a refused value is never written nor shown.
let local: LocalFixture;
let n = 0;
const freshEnvironment = () => `kinds${++n}`;
/** Planted in every wrong value: nothing a person can see may contain it. */
const PLANTED = 'Pl4ntedKindValue-7f3a9c';

function recordingSm(): { sm: SecretsManagerClient; commands: string[] } {
  const sm = local.sm();
  const commands: string[] = [];
  sm.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(context.commandName ?? '');
      return next(args);
    },
    { step: 'initialize' },
  );
  return { sm, commands };
}

/** A scoped client whose logger and audit sink write into `capture`. */
function captured(capture: OutputCapture, environment: string, sm = local.sm()): SecretsClient {
  return new SecretsClient({
    secretsManager: sm,
    kms: local.kms(),
    environment,
    service: 'billing',
    logger: capture.logger,
    audit: capture.audit,
  });
}

/** The error `promise` rejects with, added to what `capture` holds. */
async function refused(promise: Promise<unknown>, capture: OutputCapture): Promise<ValidationError> {
  try {
    await promise;
  } catch (error) {
    capture.add(String(error));
    capture.add(JSON.stringify(error));
    capture.add(inspect(error, { depth: 6 }));
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected the write to be refused');
}

beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());

describe('kind oauth-client', () => {
  it('generates the client secret from { clientId, redirectUri } and stores the three fields', async () => {
    const secrets = captured(new OutputCapture(), freshEnvironment());
    await secrets.create({
      name: 'google',
      kind: 'oauth-client',
      oauth: {
        clientId: '123.apps.googleusercontent.com',
        redirectUri: 'https://app.example.com/auth/callback',
      },
    });
    const stored = await secrets.getJson<Record<string, string>>('google');
    expect(Object.keys(stored).sort()).toEqual(['client_id', 'client_secret', 'redirect_uri']);
    expect(stored.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await secrets.describe('google')).keystage.kind).toBe('oauth-client');
  });

  it('keeps a client secret the provider issued', async () => {
    const secrets = captured(new OutputCapture(), freshEnvironment());
    await secrets.create({
      name: 'github',
      kind: 'oauth-client',
      oauth: { clientId: 'Iv1.abc', redirectUri: 'http://localhost:3000/cb', clientSecret: PLANTED },
    });
    expect(await secrets.getJson('github')).toMatchObject({ client_secret: PLANTED });
  });

  it('needs oauth or a value, and not both', async () => {
    const secrets = captured(new OutputCapture(), freshEnvironment());
    await expect(secrets.create({ name: 'x', kind: 'oauth-client' })).rejects.toMatchObject({
      field: 'oauth',
    });
    await expect(
      secrets.create({
        name: 'x',
        kind: 'oauth-client',
        oauth: { clientId: 'a', redirectUri: 'https://a.example/cb' },
        value: { client_id: 'a', client_secret: PLANTED, redirect_uri: 'https://a.example/cb' },
      }),
    ).rejects.toMatchObject({ field: 'oauth' });
  });

  it('refuses a value of the wrong shape before anything is sent, naming the field only', async () => {
    const capture = new OutputCapture();
    const { sm, commands } = recordingSm();
    const secrets = captured(capture, freshEnvironment(), sm);
    const error = await refused(
      secrets.create({
        name: 'bad',
        kind: 'oauth-client',
        value: { client_id: 'web', client_secret: PLANTED, redirect_uri: `http://${PLANTED}.example/cb` },
      }),
      capture,
    );
    expect(error.field).toBe('value.redirect_uri');
    expect(commands).toEqual([]);
    expect(capture.text()).not.toContain(PLANTED);
  });
});

describe('kind webhook-secret', () => {
  it("generates 'whsec_' and 32 random bytes in base64", async () => {
    const secrets = captured(new OutputCapture(), freshEnvironment());
    await secrets.create({ name: 'stripe_webhook', kind: 'webhook-secret' });
    const value = await secrets.get('stripe_webhook');
    expect(value).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });

  it('stores a given secret of the shape and refuses one that is not', async () => {
    const capture = new OutputCapture();
    const secrets = captured(capture, freshEnvironment());
    const given = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
    await secrets.create({ name: 'given', kind: 'webhook-secret', value: given });
    expect(await secrets.get('given')).toBe(given);
    const error = await refused(
      secrets.create({ name: 'bad', kind: 'webhook-secret', value: PLANTED }),
      capture,
    );
    expect(error.field).toBe('value');
    await expect(secrets.exists('bad')).resolves.toBe(false);
    expect(capture.text()).not.toContain(PLANTED);
  });
});

describe('shape checks on create', () => {
  it.each([
    ['database', { engine: 'postgres', username: 'app', password: PLANTED }, 'value.host'],
    ['api-key', `${PLANTED} and a space`, 'value'],
    ['json', `not json ${PLANTED}`, 'value'],
    ['data-key', { keyId: PLANTED }, 'value.wrappedKey'],
    ['certificate', { certificate: PLANTED, privateKey: PLANTED }, 'value.certificate'],
  ] as const)(
    'refuses a %s value of the wrong shape, naming %s, writing nothing',
    async (kind, value, field) => {
      const capture = new OutputCapture();
      const { sm, commands } = recordingSm();
      const secrets = captured(capture, freshEnvironment(), sm);
      const error = await refused(secrets.create({ name: 'bad', kind, value }), capture);
      expect(error.field).toBe(field);
      expect(commands).toEqual([]);
      expect(capture.text()).not.toContain(PLANTED);
    },
  );
});

describe('shape checks on put', () => {
  it('refuses a new version of the wrong shape for the secret’s kind and writes nothing', async () => {
    const capture = new OutputCapture();
    const { sm, commands } = recordingSm();
    const secrets = captured(capture, freshEnvironment(), sm);
    await secrets.create({
      name: 'db',
      kind: 'database',
      database: { engine: 'postgres', host: 'db.internal', username: 'app' },
    });
    const before = await secrets.versions('db', { includeDeprecated: true });
    commands.length = 0;
    const error = await refused(
      secrets.put('db', {
        engine: 'postgres',
        host: 'db.internal',
        username: 'app',
        password: PLANTED,
        port: 'x',
      }),
      capture,
    );
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'value.port' });
    expect(error.message).toContain("'database' secret and nothing was written");
    expect(commands).toEqual(['DescribeSecretCommand']);
    expect(await secrets.versions('db', { includeDeprecated: true })).toEqual(before);
    expect(capture.text()).not.toContain(PLANTED);
  });

  it('stores a new version of the right shape', async () => {
    const secrets = captured(new OutputCapture(), freshEnvironment());
    await secrets.create({ name: 'hook', kind: 'webhook-secret' });
    const next = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    await secrets.put('hook', next);
    expect(await secrets.get('hook')).toBe(next);
  });

  it('refuses an oauth-client version without its client_id', async () => {
    const capture = new OutputCapture();
    const secrets = captured(capture, freshEnvironment());
    await secrets.create({
      name: 'oauth',
      kind: 'oauth-client',
      oauth: { clientId: 'w', redirectUri: 'https://a.example/cb' },
    });
    const error = await refused(
      secrets.put('oauth', { client_secret: PLANTED, redirect_uri: 'https://a.example/cb' }),
      capture,
    );
    expect(error.field).toBe('value.client_id');
    expect(capture.text()).not.toContain(PLANTED);
  });

  it('checks nothing for a secret without a keystage kind', async () => {
    const e = freshEnvironment();
    await local.sm().send(new CreateSecretCommand({ Name: `${e}/billing/raw`, SecretString: 'v1' }));
    const secrets = captured(new OutputCapture(), e);
    await secrets.put('raw', 'anything at all');
    expect(await secrets.get('raw')).toBe('anything at all');
  });
});

describe('describe: recommended rotation', () => {
  it('reports the kind’s recommendation and that rotation off does not meet it', async () => {
    const secrets = captured(new OutputCapture(), freshEnvironment());
    await secrets.create({ name: 'key', kind: 'api-key' });
    expect((await secrets.describe('key')).recommendedRotation).toEqual({
      days: 90,
      reason: expect.stringContaining('quarterly'),
      configuredDays: undefined,
      meets: false,
    });
  });

  it('holds the configured rotation against it', async () => {
    const e = freshEnvironment();
    const secrets = captured(new OutputCapture(), e);
    await secrets.create({
      name: 'db',
      kind: 'database',
      database: { engine: 'postgres', host: 'h', username: 'app' },
    });
    const lambda = `arn:aws:lambda:us-east-1:000000000000:function:${e}`;
    local.endpoint.registerRotationHandler(lambda, async () => undefined);
    await local.sm().send(
      new RotateSecretCommand({
        SecretId: `${e}/billing/db`,
        RotationLambdaARN: lambda,
        RotationRules: { AutomaticallyAfterDays: 90 },
        RotateImmediately: false,
      }),
    );
    await local.endpoint.rotationsIdle();
    expect((await secrets.describe('db')).recommendedRotation).toMatchObject({
      days: 30,
      configuredDays: 90,
      meets: false,
    });
    await local.sm().send(
      new RotateSecretCommand({
        SecretId: `${e}/billing/db`,
        RotationLambdaARN: lambda,
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
        RotateImmediately: false,
      }),
    );
    await local.endpoint.rotationsIdle();
    expect((await secrets.describe('db')).recommendedRotation).toMatchObject({
      configuredDays: 30,
      meets: true,
    });
  });

  it('is absent for a secret without a keystage kind, and shown by list too', async () => {
    const e = freshEnvironment();
    await local.sm().send(new CreateSecretCommand({ Name: `${e}/billing/raw`, SecretString: 'v' }));
    const secrets = captured(new OutputCapture(), e);
    expect((await secrets.describe('raw')).recommendedRotation).toBeUndefined();
    await secrets.create({ name: 'hook', kind: 'webhook-secret' });
    const listed = [];
    for await (const item of secrets.list()) listed.push(item);
    expect(listed.map((item) => item.recommendedRotation?.days)).toEqual([182]);
  });
});
