import { GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { inspect } from 'node:util';
import {
  SecretsClient,
  generateApiKey,
  generateDataKey,
  generateDatabaseCredentials,
  parseApiKey,
  verifyApiKey,
} from '../../lib';
import { OutputCapture } from '../support/output-capture';

const sm = mockClient(SecretsManagerClient);
const kms = mockClient(KMSClient);
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app/s-AbCdEf';
const CANARY = 'Canary-9f8e7d6c5b4a';

/** Every way an object or error can be shown: inspect, JSON, String, message and stack. */
function shown(value: unknown): string {
  const parts = [inspect(value, { depth: 10, showHidden: false }), String(value)];
  try {
    parts.push(JSON.stringify(value) ?? '');
  } catch {
    parts.push('(not serialisable)');
  }
  if (value instanceof Error) parts.push(value.message, value.stack ?? '');
  return parts.join('\n');
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('no secret value leaks', () => {
  const capture = new OutputCapture();
  let client: SecretsClient;

  beforeEach(() => {
    sm.reset();
    kms.reset();
    capture.start();
    client = new SecretsClient({
      secretsManager: new SecretsManagerClient({ maxAttempts: 1 }),
      kms: new KMSClient({ maxAttempts: 1 }),
      logger: capture.logger,
      audit: capture.audit,
    });
  });

  afterEach(() => capture.stop());

  it('keeps given values out of logs, audit events, results and errors', async () => {
    sm.on(CreateSecretCommand).resolves({ ARN, Name: 'prod/app/s', VersionId: 'v'.repeat(32) });
    sm.on(PutSecretValueCommand).rejects(
      new ResourceExistsException({
        message: 'You already provided a version with this ClientRequestToken.',
        $metadata: {},
      }),
    );
    sm.on(GetSecretValueCommand).resolves({
      ARN,
      Name: 'prod/app/s',
      SecretString: `not json ${CANARY}`,
      VersionId: 'v'.repeat(32),
    });

    capture.add(
      shown(
        await client.create({
          name: 's',
          kind: 'generic',
          environment: 'prod',
          service: 'app',
          value: CANARY,
        }),
      ),
    );
    capture.add(
      shown(await failure(client.put('prod/app/s', CANARY, { clientRequestToken: 't'.repeat(32) }))),
    );
    capture.add(shown(await failure(client.put('prod/app/s', CANARY.repeat(10_000)))));
    capture.add(shown(await failure(client.create({ name: 'bad name', kind: 'generic', value: CANARY }))));
    capture.add(shown(await failure(client.getJson('prod/app/s'))));
    sm.on(GetSecretValueCommand).resolves({
      ARN,
      Name: 'prod/app/s',
      SecretString: JSON.stringify({ token: CANARY }),
    });
    capture.add(
      shown(
        await failure(
          client.getJson('prod/app/s', {
            validate: (value) => {
              throw new TypeError(`unexpected ${JSON.stringify(value)}`);
            },
          }),
        ),
      ),
    );

    expect(capture.events.length).toBeGreaterThan(0);
    expect(capture.text()).not.toContain(CANARY);
  });

  it('keeps generated values out of everything but the request that stores them', async () => {
    const stored: string[] = [];
    sm.on(CreateSecretCommand).callsFake((input: { SecretString?: string; Name: string }) => {
      stored.push(input.SecretString ?? '');
      return { ARN, Name: input.Name, VersionId: 'v'.repeat(32) };
    });
    kms.on(GenerateDataKeyCommand).resolves({
      KeyId: 'arn:aws:kms:us-east-1:123456789012:key/k',
      Plaintext: new Uint8Array(32).fill(7),
      CiphertextBlob: new Uint8Array(64).fill(9),
    });

    for (const kind of ['generic', 'api-key'] as const) {
      capture.add(shown(await client.create({ name: kind, kind })));
    }
    capture.add(
      shown(
        await client.create({
          name: 'db',
          kind: 'database',
          database: { engine: 'postgres', host: 'db.internal', username: 'app' },
        }),
      ),
    );
    capture.add(shown(await client.create({ name: 'dk', kind: 'data-key', kmsKeyId: 'alias/app' })));

    const password = stored[0]!;
    const apiKey = stored[1]!;
    const dbPassword = (JSON.parse(stored[2]!) as { password: string }).password;
    expect(stored[3]).not.toContain(Buffer.alloc(32, 7).toString('base64'));
    const text = capture.text();
    for (const value of [password, apiKey, dbPassword]) {
      expect(value.length).toBeGreaterThanOrEqual(32);
      expect(text).not.toContain(value);
    }
  });

  it('redacts keystage objects that hold values', async () => {
    kms.on(GenerateDataKeyCommand).resolves({
      KeyId: 'k',
      Plaintext: new Uint8Array(32).fill(0xab),
      CiphertextBlob: new Uint8Array(64).fill(1),
    });
    const credentials = generateDatabaseCredentials({ engine: 'mysql', host: 'h', username: 'u' });
    const dataKey = await generateDataKey(new KMSClient({}), { keyId: 'k' });
    const apiKey = generateApiKey({ prefix: 'acme' });

    const text = [
      shown(credentials),
      shown(dataKey),
      shown(await failure(Promise.resolve().then(() => parseApiKey(`${apiKey}x`)))),
    ].join('\n');

    expect(text).not.toContain(credentials.password);
    expect(text).not.toContain(Buffer.alloc(32, 0xab).toString('base64'));
    expect(text).not.toContain(Buffer.alloc(32, 0xab).toString('hex'));
    expect(text).not.toContain(apiKey);
    expect(verifyApiKey(apiKey, apiKey)).toBe(true);
  });
});
