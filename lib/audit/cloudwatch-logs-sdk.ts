import type * as LogsSdk from '@aws-sdk/client-cloudwatch-logs';
import { ConfigurationError } from '../errors';

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
  try {
    // A require() on first use keeps the module unloaded until then; a static import would
    // load it with keystage.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(LOGS_PACKAGE) as typeof LogsSdk;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'MODULE_NOT_FOUND') throw error;
    throw new ConfigurationError(
      LOGS_PACKAGE,
      `Auditing to CloudWatch Logs needs ${LOGS_PACKAGE}, which is not installed: ` +
        `npm install ${LOGS_PACKAGE} (an optional peer dependency of keystage), or use JsonLinesAuditSink.`,
      { cause: error },
    );
  }
}
