import type { Server } from 'node:http';
import { ValidationError } from '../errors';
import { ServiceFault } from './fault';
import { listenBounded, type HttpReply, type HttpRequest, type ServerLimits } from './http-server';
import { isKmsTarget, isLogsTarget, isSsmTarget, parseCall, type ParsedCall } from './request';
import { KeyStore } from './kms/keys';
import { KMS_OPERATIONS } from './kms/operations';
import { importLegacyState, readLegacyState } from './legacy-state';
import {
  LOGS_INTERNAL_ERROR,
  LOGS_MAX_BODY_BYTES,
  LOGS_OPERATIONS,
  LogStore,
  invokeLogs,
} from './logs/operations';
import { invoke } from './operation';
import { checkRotationFunctions, type RotationFunctionOptions } from './rotation/functions';
import { RotationRunner, type RotationHandler } from './rotation/runner';
import { SECRETS_MANAGER_OPERATIONS, SecretStore, type RotationEvent } from './secrets-manager';
import { ParameterStore, SSM_INTERNAL_ERROR, SSM_OPERATIONS } from './ssm';
import { DataDir } from './storage/data-dir';
import { nodeFileSystem, type FileSystem } from './storage/file-system';
import { DurabilityFailure, Journal } from './storage/journal';
import type { RecoveryReport } from './storage/recovery';
import { Transaction, type Table } from './storage/table';

export interface LocalEndpointOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /**
   * Where state is kept: an append-only log of encrypted records (and snapshots of it) under
   * a master key file in the same directory. One endpoint at a time holds a directory.
   * @default '.keystage/local' (ignored when inMemory)
   */
  readonly dataDir?: string;
  /** Keep nothing on disk (tests). @default false */
  readonly inMemory?: boolean;
  /** The account id in ARNs. @default '000000000000' */
  readonly accountId?: string;
  /** How many times a failing rotation is attempted before RotationFailed. @default 3 */
  readonly rotationAttempts?: number;
  /**
   * Rotation functions RotateSecret runs for secrets naming their ARN: each invocation (one
   * step) in its own child Node.js process, as Lambda runs it, with an environment that points
   * the AWS SDK here. Checked before the endpoint starts (a ValidationError names the field).
   * RotateSecret naming an ARN with no function (nor handler) fails with AccessDeniedException.
   * @default [] - only handlers added with registerRotationHandler
   */
  readonly rotationFunctions?: readonly RotationFunctionOptions[];
  /** Time source (ms since epoch): rotation dates, recovery windows, access dates. @default Date.now */
  readonly now?: () => number;
  /** Bounds on request size, connections and slow clients. @default - see {@link ServerLimits} */
  readonly limits?: ServerLimits;
  /** Lines about recovery, compaction and rotations (never a value). @default - nowhere */
  readonly log?: (line: string) => void;
  /** A snapshot of the state is written when the log grows past this. @default 67108864 (64 MiB) */
  readonly compactAfterBytes?: number;
  /** The file operations storage uses (tests inject faults here). @default node:fs */
  readonly fileSystem?: FileSystem;
}

/** A running endpoint. */
export interface LocalEndpoint {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** What opening the data directory found (undefined in memory). */
  readonly recovery: RecoveryReport | undefined;
  /** Rotation events in the order they happened. */
  readonly rotationEvents: readonly RotationEvent[];
  /** Registers the function RotateSecret runs for secrets whose RotationLambdaARN is `lambdaArn`. */
  registerRotationHandler(lambdaArn: string, handler: RotationHandler): void;
  /** Resolves when no rotation is running. */
  rotationsIdle(): Promise<void>;
  /** The environment variables that point an AWS SDK or the AWS CLI here. */
  environment(): Record<string, string>;
  /** Stops accepting requests, waits for writes and rotations, and releases the data directory. */
  close(): Promise<void>;
}

/** Commits transactions: durably (the journal) or only in memory. */
interface Durability {
  commit(tx: Transaction, options?: { readonly bookkeeping?: boolean }): Promise<void>;
  mark(): number;
  durable(mark: number): Promise<void>;
  close(): Promise<void>;
}

const inMemory: Durability = {
  commit(tx) {
    for (const change of tx.changes()) change.table.apply(change.key, change.row);
    return Promise.resolve();
  },
  mark: () => 0,
  durable: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

function checkLimit(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) {
    throw new ValidationError(
      `limits.${name}`,
      `limits.${name} must be an integer from 1 to 2147483647, got ${String(value)}.`,
    );
  }
}

/** Names a programming error for the log: its type and where, never its message (it may hold a value). */
function describeBug(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const frames = (error.stack ?? '')
    .split('\n')
    .slice(1, 4)
    .map((line) => line.trim());
  return [error.name, ...frames].join(' ');
}

function faultReply(fault: ServiceFault): HttpReply {
  return {
    status: fault.status,
    body: { __type: fault.type, message: fault.message },
    errorType: fault.type,
  };
}

/**
 * Starts a Secrets Manager + KMS + CloudWatch Logs + SSM Parameter Store compatible endpoint
 * (AWS JSON 1.1) on 127.0.0.1. Point any AWS SDK at it with `AWS_ENDPOINT_URL`. Requests must be signed (any
 * credentials do); signatures are not checked. The region is the one the request was signed
 * for. Every acknowledged write is on disk (fsync) before its answer; a write the disk refuses
 * is a 500 (InternalServiceError, KMSInternalException, ServiceUnavailableException) and
 * changes nothing.
 * @example
 * const endpoint = await startLocalEndpoint({ inMemory: true });
 * const secrets = new SecretsClient({ secretsManagerConfig: { endpoint: endpoint.url } });
 */
export async function startLocalEndpoint(options: LocalEndpointOptions = {}): Promise<LocalEndpoint> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ValidationError('port', `port must be an integer from 0 to 65535, got ${String(port)}.`);
  }
  for (const [name, value] of Object.entries(options.limits ?? {})) {
    checkLimit(name, value as number | undefined);
  }
  const limits: ServerLimits = { maxLogsBodyBytes: LOGS_MAX_BODY_BYTES, ...options.limits };
  const accountId = options.accountId ?? '000000000000';
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const rotationFunctions = await checkRotationFunctions(options.rotationFunctions);
  const store = new SecretStore(accountId);
  const keys = new KeyStore(accountId, now);
  const logs = new LogStore(accountId);
  const parameters = new ParameterStore(accountId);
  const tables: Table<unknown>[] = [...store.tables, ...keys.tables, ...logs.tables, ...parameters.tables];

  let durability: Durability = inMemory;
  let dir: DataDir | undefined;
  let journal: Journal | undefined;
  if (options.inMemory !== true) {
    const files = options.fileSystem ?? nodeFileSystem;
    dir = DataDir.open(options.dataDir ?? '.keystage/local', files);
    try {
      // Read (and so checked) before the log exists: a refused old state leaves nothing new.
      const legacy = readLegacyState(dir, files);
      journal = Journal.open({
        dir,
        files,
        tables,
        log,
        ...(options.compactAfterBytes === undefined ? {} : { compactAfterBytes: options.compactAfterBytes }),
      });
      durability = journal;
      store.rebuild();
      logs.rebuild();
      parameters.rebuild();
      if (legacy !== undefined) await importLegacyState(legacy, dir, files, store, keys, journal, log);
    } catch (error) {
      await journal?.close().catch(() => undefined);
      dir.releaseSync();
      throw error;
    }
  } else {
    store.rebuild();
    logs.rebuild();
    parameters.rebuild();
  }

  const write = (change: (tx: Transaction) => void): Promise<void> => {
    const tx = new Transaction();
    change(tx);
    return durability.commit(tx);
  };
  const runner = new RotationRunner({
    store,
    write,
    now,
    maxAttempts: options.rotationAttempts ?? 3,
    log,
    functions: rotationFunctions,
  });

  /** Secrets whose recovery window ended are deleted before any request sees them. */
  const purgeDeleted = (): void => {
    const due = store.dueForDeletion(now());
    if (due.length === 0) return;
    const tx = new Transaction();
    for (const record of due) store.remove(tx, record);
    void durability.commit(tx).catch(() => undefined);
  };

  /** Runs one operation in a transaction; the rotations it asks for start once it is durable. */
  async function perform(call: ParsedCall): Promise<object> {
    purgeDeleted();
    const mark = durability.mark();
    const tx = new Transaction();
    const access = new Transaction();
    const rotations: Array<[string, string, boolean]> = [];
    const startRotations = () => {
      for (const [arn, token, onlyTest] of rotations) runner.start(arn, token, onlyTest);
    };
    let result: object;
    try {
      result =
        call.service === 'secretsmanager'
          ? invoke(
              SECRETS_MANAGER_OPERATIONS[call.operation]!,
              {
                store,
                keys,
                tx,
                access,
                region: call.region,
                now,
                startRotation: (arn, token, onlyTest) => rotations.push([arn, token, onlyTest]),
                hasRotationFunction: (lambdaArn) => runner.has(lambdaArn),
                rotationRefused: (arn, token, lambdaArn) => runner.refused(arn, token, lambdaArn),
              },
              call.body,
            )
          : call.service === 'logs'
            ? invokeLogs(
                LOGS_OPERATIONS[call.operation]!,
                { logs, keys, tx, region: call.region, now },
                call.body,
              )
            : call.service === 'ssm'
              ? invoke(
                  SSM_OPERATIONS[call.operation]!,
                  { parameters, keys, secrets: store, tx, access, region: call.region, now },
                  call.body,
                )
              : invoke(KMS_OPERATIONS[call.operation]!, { keys, tx, region: call.region, now }, call.body);
    } catch (error) {
      // A refused RotateSecret can still ask for the unfinished rotation to be attempted again.
      if (error instanceof ServiceFault && rotations.length > 0) {
        void durability.durable(mark).then(startRotations, () => undefined);
      }
      throw error;
    }
    // Access dates are bookkeeping: a disk that refuses them must not fail a read.
    void durability.commit(access, { bookkeeping: true }).catch(() => undefined);
    // A read waits for the writes it saw: an answer never shows what a failed write undid.
    await (tx.empty ? durability.durable(mark) : durability.commit(tx));
    startRotations();
    return result;
  }

  async function handle(request: HttpRequest): Promise<HttpReply> {
    let call: ParsedCall | undefined;
    try {
      call = parseCall(request);
      return { status: 200, body: await perform(call) };
    } catch (error) {
      const internal =
        call?.service === 'kms' || isKmsTarget(request)
          ? 'KMSInternalException'
          : call?.service === 'logs' || isLogsTarget(request)
            ? LOGS_INTERNAL_ERROR
            : call?.service === 'ssm' || isSsmTarget(request)
              ? SSM_INTERNAL_ERROR
              : 'InternalServiceError';
      if (error instanceof ServiceFault) return faultReply(error);
      if (error instanceof DurabilityFailure)
        return faultReply(new ServiceFault(internal, error.message, 500));
      log(`internal error in ${call?.operation ?? 'a request'}: ${describeBug(error)}`);
      return faultReply(new ServiceFault(internal, 'An internal error occurred.', 500));
    }
  }

  let server: Server;
  let actualPort: number;
  try {
    ({ server, port: actualPort } = await listenBounded(port, limits, handle));
  } catch (error) {
    await durability.close();
    dir?.releaseSync();
    throw error;
  }
  const url = `http://127.0.0.1:${actualPort}`;
  runner.setEndpoint(url);
  let closing: Promise<void> | undefined;
  return {
    url,
    port: actualPort,
    recovery: journal?.recovery,
    rotationEvents: runner.events,
    registerRotationHandler: (lambdaArn, handler) => runner.register(lambdaArn, handler),
    rotationsIdle: () => runner.idle(),
    environment: () => ({
      AWS_ENDPOINT_URL: url,
      AWS_REGION: 'us-east-1',
      // Older AWS CLIs and other SDKs read this one instead.
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    }),
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve, reject) =>
          server.close((error) => (error ? reject(error) : resolve())),
        );
        server.closeIdleConnections();
        await runner.idle();
        server.closeAllConnections();
        await stopped;
        await durability.close();
        dir?.releaseSync();
      })()),
  };
}
