import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ValidationError } from '../errors';
import { ServiceFault } from './fault';
import { KeyStore, type AliasRecord, type KeyRecord } from './kms/keys';
import { KMS_OPERATIONS } from './kms/operations';
import { StateFile } from './persistence';
import { RotationRunner, type RotationHandler } from './rotation-runner';
import {
  SECRETS_MANAGER_OPERATIONS,
  SecretStore,
  type RotationEvent,
  type SecretRecord,
} from './secrets-manager';

export interface LocalEndpointOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /**
   * Where state is kept, encrypted under a master key file in the same directory.
   * @default '.keystage/local' (ignored when inMemory)
   */
  readonly dataDir?: string;
  /** Keep nothing on disk (tests). @default false */
  readonly inMemory?: boolean;
  /** The account id in ARNs. @default '000000000000' */
  readonly accountId?: string;
  /** How many times a failing rotation is attempted before RotationFailed. @default 3 */
  readonly rotationAttempts?: number;
  /** Time source (ms since epoch). @default Date.now */
  readonly now?: () => number;
}

/** A running endpoint. */
export interface LocalEndpoint {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Rotation events in the order they happened. */
  readonly rotationEvents: readonly RotationEvent[];
  /** Registers the function RotateSecret runs for secrets whose RotationLambdaARN is `lambdaArn`. */
  registerRotationHandler(lambdaArn: string, handler: RotationHandler): void;
  /** Resolves when no rotation is running. */
  rotationsIdle(): Promise<void>;
  /** The environment variables that point an AWS SDK or the AWS CLI here. */
  environment(): Record<string, string>;
  close(): Promise<void>;
}

interface SavedState {
  readonly secrets: SecretRecord[];
  readonly keys: KeyRecord[];
  readonly aliases: Array<[string, AliasRecord]>;
}

const MAX_BODY_BYTES = 1_048_576;
const CREDENTIAL_REGION = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(
          new ServiceFault('ValidationException', `The request body exceeds ${MAX_BODY_BYTES} bytes.`, 413),
        );
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: object, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
  });
  res.end(text);
}

/** Operations that change nothing, so they need no save. */
const READS = new Set([
  'GetSecretValue',
  'BatchGetSecretValue',
  'DescribeSecret',
  'ListSecrets',
  'ListSecretVersionIds',
  'GetRandomPassword',
  'GetResourcePolicy',
  'DescribeKey',
  'ListAliases',
  'Encrypt',
  'Decrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateRandom',
  'GetKeyRotationStatus',
]);

/**
 * Starts a Secrets Manager + KMS compatible endpoint (AWS JSON 1.1) on 127.0.0.1. Point
 * any AWS SDK at it with `AWS_ENDPOINT_URL`. Requests must be signed (any credentials do);
 * signatures are not checked. The region is the one the request was signed for.
 * @example
 * const endpoint = await startLocalEndpoint({ inMemory: true });
 * const secrets = new SecretsClient({ secretsManagerConfig: { endpoint: endpoint.url } });
 */
export async function startLocalEndpoint(options: LocalEndpointOptions = {}): Promise<LocalEndpoint> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ValidationError('port', `port must be an integer from 0 to 65535, got ${String(port)}.`);
  }
  const accountId = options.accountId ?? '000000000000';
  const now = options.now ?? Date.now;
  const store = new SecretStore(accountId);
  const keys = new KeyStore(accountId);
  const file = options.inMemory === true ? undefined : new StateFile(options.dataDir ?? '.keystage/local');
  const saved = file?.load() as SavedState | undefined;
  if (saved !== undefined) {
    for (const secret of saved.secrets) store.secrets.set(secret.arn, secret);
    for (const key of saved.keys) keys.keys.set(key.id, key);
    for (const [scoped, alias] of saved.aliases) keys.aliases.set(scoped, alias);
  }
  const save = (): void =>
    file?.save({
      secrets: [...store.secrets.values()],
      keys: [...keys.keys.values()],
      aliases: [...keys.aliases.entries()],
    });
  const runner = new RotationRunner(store, now, options.rotationAttempts ?? 3);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const [service, operation = ''] = target.split('.');
    const fallbackFault = service === 'TrentService' ? 'KMSInternalException' : 'InternalServiceError';
    try {
      const body = await readBody(req);
      if (req.method !== 'POST')
        throw new ServiceFault('UnknownOperationException', 'Only POST is supported.', 405);
      const authorization = String(req.headers.authorization ?? '');
      if (authorization === '') {
        throw new ServiceFault(
          'MissingAuthenticationTokenException',
          'Request is missing Authentication Token',
          403,
        );
      }
      const region = CREDENTIAL_REGION.exec(authorization)?.[1] ?? 'us-east-1';
      let parsed: Record<string, unknown>;
      try {
        parsed = body === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
      } catch {
        throw new ServiceFault('SerializationException', 'The request body is not valid JSON.');
      }
      let result: object;
      if (service === 'secretsmanager' && Object.hasOwn(SECRETS_MANAGER_OPERATIONS, operation)) {
        const startRotation = (arn: string, token: string, onlyTest: boolean) =>
          runner.start(arn, token, onlyTest);
        result = SECRETS_MANAGER_OPERATIONS[operation]!({ store, region, now, startRotation }, parsed);
      } else if (service === 'TrentService' && Object.hasOwn(KMS_OPERATIONS, operation)) {
        result = KMS_OPERATIONS[operation]!({ keys, region, now }, parsed);
      } else {
        throw new ServiceFault('UnknownOperationException', `Unknown operation ${target}.`);
      }
      if (!READS.has(operation)) save();
      reply(res, 200, result);
    } catch (error) {
      const fault =
        error instanceof ServiceFault
          ? error
          : new ServiceFault(fallbackFault, 'An internal error occurred.', 500);
      reply(res, fault.status, { __type: fault.type, message: fault.message }, fault.type);
    }
  }

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${actualPort}`;
  return {
    url,
    port: actualPort,
    rotationEvents: runner.events,
    registerRotationHandler: (lambdaArn, handler) => runner.register(lambdaArn, handler),
    rotationsIdle: async () => {
      await runner.idle();
      save();
    },
    environment: () => ({
      AWS_ENDPOINT_URL: url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    }),
    close: async () => {
      await runner.idle();
      save();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
