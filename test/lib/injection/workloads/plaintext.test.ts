import { inspect } from 'node:util';
import { inject } from '../../../../lib/injection/workloads';
import { secretLikeReason } from '../../../../lib/injection/workloads/plaintext';
import type { ValidationError } from '../../../../lib/errors';
import { FakeEcs, ecsRequests } from './fake-ecs';
import { FakeLambda, lambdaRequests } from './fake-lambda';
import { PLANTED, workloadFixture, type WorkloadFixture } from './workload-fixture';

// RELIABILITY 70: a plaintext value for an ECS or Lambda environment is refused before any
// call, with an error that says why and what to do instead, and never repeats the value.

const ecsTarget = { kind: 'ecs', cluster: 'prod', service: 'billing-api' } as const;
const lambdaTarget = { kind: 'lambda', functionName: 'billing-worker' } as const;
let f: WorkloadFixture;

beforeAll(async () => {
  f = await workloadFixture();
});
afterAll(() => f.close());
beforeEach(() => {
  new FakeEcs().install();
  new FakeLambda().install();
  f.smCommands.length = 0;
});

async function refusal(request: unknown): Promise<ValidationError> {
  const error = (await inject(f.client, request as never, { ecs: f.ecs, lambda: f.lambda, ssm: f.ssm }).catch(
    (e: unknown) => e,
  )) as ValidationError;
  expect(error).toMatchObject({ code: 'VALIDATION_ERROR' });
  // Nothing was asked of anyone: not AWS, not Secrets Manager.
  expect(ecsRequests()).toEqual([]);
  expect(lambdaRequests()).toEqual([]);
  expect(f.smCommands).toEqual([]);
  // The value is nowhere: message, JSON, inspect, stack.
  for (const shown of [
    error.message,
    JSON.stringify(error),
    inspect(error, { depth: 8 }),
    error.stack ?? '',
  ]) {
    expect(shown).not.toContain(PLANTED);
  }
  return error;
}

describe('inject refuses plaintext', () => {
  it.each([
    ['ECS', ecsTarget, 'an ECS task definition', 'ecs:DescribeTaskDefinition'],
    ['Lambda', lambdaTarget, 'a Lambda environment', 'lambda:GetFunctionConfiguration'],
  ])('a %s mapping that carries a value instead of a secret', async (_kind, target, where, permission) => {
    const error = await refusal({ target, mappings: [{ name: 'DB_PASSWORD', value: PLANTED }] });
    expect(error).toMatchObject({ field: 'mappings[0].value' });
    expect(error.message).toContain(
      `mappings[0] (DB_PASSWORD) carries a plaintext value in value; keystage refuses to put a secret's value into ${where}`,
    );
    expect(error.message).toContain(`readable by anyone allowed ${permission}`);
    expect(error.message).toContain(
      'Store the value in Secrets Manager (`keystage put`, or SecretsClient.create / put) and map it instead',
    );
  });

  it('a value under another field name as well', async () => {
    const error = await refusal({
      target: ecsTarget,
      mappings: [{ name: 'API_KEY', secret: 'prod/billing/stripe', plaintext: PLANTED }],
    });
    expect(error.field).toBe('mappings[0].plaintext');
  });

  it('an environment entry whose name says it is a secret, pointing at a mapping instead', async () => {
    const error = await refusal({
      target: ecsTarget,
      mappings: [{ name: 'DB_USER', secret: 'prod/billing/db', jsonKey: 'username' }],
      environment: { LOG_LEVEL: 'info', DB_PASSWORD: PLANTED },
    });
    expect(error.field).toBe('environment.DB_PASSWORD');
    expect(error.message).toContain('environment.DB_PASSWORD looks like a secret (its name says PASSWORD)');
    expect(error.message).toContain("mappings: [{ name: 'DB_PASSWORD', secret: '<secret name or ARN>' }]");
  });

  it('for Lambda, suggests a variable holding the ARN, read through the extension', async () => {
    const error = await refusal({
      target: lambdaTarget,
      mappings: [{ name: 'DB_SECRET_ARN', secret: 'prod/billing/db' }],
      environment: { STRIPE_API_KEY: PLANTED },
    });
    expect(error.message).toContain('its name says API_KEY');
    expect(error.message).toContain(
      "mappings: [{ name: 'STRIPE_API_KEY_SECRET_ARN', secret: '<secret name or ARN>' }]",
    );
    expect(error.message).toContain('http://localhost:2773/secretsmanager/get?secretId=');
  });

  it.each([
    [
      'a private key',
      `-----BEGIN RSA PRIVATE KEY-----\nMIIE${PLANTED}\n-----END RSA PRIVATE KEY-----`,
      'a private key (PEM)',
    ],
    ['an AWS access key id', `AKIA${'Q'.repeat(16)}`, 'an AWS access key id'],
    [
      'a URL with a password',
      `postgres://app:${PLANTED}@db.internal:5432/billing`,
      'a URL with a password in it',
    ],
    [
      'a JWT',
      `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.${PLANTED.replace(/[^A-Za-z0-9]/g, '')}`,
      'a JSON Web Token',
    ],
    ['a GitHub token', `ghp_${'a1B2'.repeat(9)}`, 'an API token'],
  ])('an environment value that is %s, whatever the name', async (_what, value, label) => {
    const error = await refusal({
      target: ecsTarget,
      mappings: [{ name: 'DB_USER', secret: 'prod/billing/db', jsonKey: 'username' }],
      environment: { UPSTREAM: value },
    });
    expect(error.message).toContain(
      `environment.UPSTREAM looks like a secret (its value looks like ${label})`,
    );
    expect(error.message).not.toContain(value);
  });
});

describe('secretLikeReason', () => {
  it.each([
    ['DB_PASSWORD', 'x', 'its name says PASSWORD'],
    ['dbPassword', 'x', 'its name says PASSWORD'],
    ['CLIENT_SECRET', 'x', 'its name says SECRET'],
    ['AUTH_TOKEN', 'x', 'its name says TOKEN'],
    ['PRIVATE_KEY', 'x', 'its name says PRIVATE_KEY'],
    ['SENTRY_DSN', 'https://k@o1.ingest.sentry.io/1', 'its name says DSN'],
  ])('%s is a secret', (name, value, reason) => {
    expect(secretLikeReason(name, value)).toBe(reason);
  });

  it.each([
    ['LOG_LEVEL', 'debug'],
    ['DB_SECRET_ARN', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf'],
    ['DB_PASSWORD', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf'],
    ['TOKEN_TTL', '300'],
    ['PASSWORD_FILE', '/run/secrets/db'],
    ['SECRET_NAME', 'prod/billing/db'],
    ['BYPASS_CACHE', 'true'],
    ['PASSENGER_COUNT', '4'],
    ['KEY_COUNT', '3'],
  ])('%s=%s is not', (name, value) => {
    expect(secretLikeReason(name, value)).toBeUndefined();
  });
});
