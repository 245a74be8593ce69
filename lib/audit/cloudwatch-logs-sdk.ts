import type * as LogsSdk from '@aws-sdk/client-cloudwatch-logs';
import { createRequire } from 'node:module';
import { optionalPeer } from '../core/optional-peer';

/** The CloudWatch Logs SDK module, as the package manager installed it. */
const LOGS_PACKAGE = '@aws-sdk/client-cloudwatch-logs';

/**
 * `@aws-sdk/client-cloudwatch-logs`, loaded when first needed: only a service that audits to
 * CloudWatch Logs (or reads its trail back) pays for it, and only it must install it (an
 * optional peer dependency). Node caches the module, so later calls cost a lookup.
 * @throws ConfigurationError when the package is not installed.
 * @example
 * const { PutLogEventsCommand } = cloudWatchLogsSdk();
 */
export function cloudWatchLogsSdk(): typeof LogsSdk {
  return optionalPeer<typeof LogsSdk>(LOGS_PACKAGE, {
    needs: 'Auditing to CloudWatch Logs',
    otherwise: 'or use JsonLinesAuditSink',
  });
}

/** What keystage takes from the SDK's protocol module; present in SDKs that serialise by schema. */
export interface ProtocolModule {
  readonly AwsJson1_1Protocol?: new (settings: Record<string, unknown>) => object;
  readonly JsonCodec?: new (settings: Record<string, unknown>) => object;
}

type ProtocolOption = Pick<LogsSdk.CloudWatchLogsClientConfig, 'protocol'>;

/**
 * The client option that makes CloudWatch Logs requests serialise with the SDK's own
 * JSON.stringify-based codec (`JsonCodec`) instead of its default single-pass writer, which
 * escapes strings a character at a time in JavaScript. Audit lines are JSON inside JSON, full
 * of quotes: a 1,000-event PutLogEvents spent about 5.5 ms serialising with the default and
 * 2.5 ms with this, on the path every fail-closed read waits on. The same wire format
 * (awsJson1_1). Loaded from the client package's own dependencies; `{}` (the SDK's default)
 * for an SDK without them, whose serialiser is JSON.stringify already.
 * @example
 * const logs = new CloudWatchLogsClient({ ...fastJsonProtocol(), region });
 */
export function fastJsonProtocol(): ProtocolOption {
  let protocols: ProtocolModule;
  try {
    // Resolved from the client package, which depends on it; keystage does not.
    const fromClient = createRequire(require.resolve(LOGS_PACKAGE));
    protocols = fromClient('@aws-sdk/core/protocols') as ProtocolModule;
  } catch {
    return {};
  }
  return jsonCodecProtocol(
    protocols,
    (cloudWatchLogsSdk() as { errorTypeRegistries?: unknown }).errorTypeRegistries,
  );
}

/**
 * The protocol `fastJsonProtocol` gives, from the SDK's pieces: `{}` when one is missing.
 * The settings are those the client's default protocol is built with, but for the codec.
 */
export function jsonCodecProtocol(protocols: ProtocolModule, errorTypeRegistries: unknown): ProtocolOption {
  const { AwsJson1_1Protocol, JsonCodec } = protocols;
  if (
    typeof AwsJson1_1Protocol !== 'function' ||
    typeof JsonCodec !== 'function' ||
    errorTypeRegistries === undefined
  )
    return {};
  return {
    protocol: new AwsJson1_1Protocol({
      defaultNamespace: 'com.amazonaws.cloudwatchlogs',
      serviceTarget: 'Logs_20140328',
      awsQueryCompatible: false,
      errorTypeRegistries,
      jsonCodec: new JsonCodec({ timestampFormat: { useTrait: true, default: 7 }, jsonName: false }),
    }) as LogsSdk.CloudWatchLogsClientConfig['protocol'],
  };
}
