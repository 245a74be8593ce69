import type * as LogsSdk from '@aws-sdk/client-cloudwatch-logs';
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
