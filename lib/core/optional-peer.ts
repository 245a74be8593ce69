import { ConfigurationError } from '../errors';

/** What a missing optional peer is needed for, and what to do instead of installing it. */
export interface PeerUse {
  /** The capability, as the error's first words: "Auditing to CloudWatch Logs". */
  readonly needs: string;
  /** Another way, when there is one: "or use JsonLinesAuditSink". @default - none */
  readonly otherwise?: string;
}

/**
 * An optional peer dependency, loaded when first needed: only a service that uses the
 * capability pays for loading it, and only it must install it. Node caches the module, so
 * later calls cost a lookup. A peer that is installed but fails to load throws its own error.
 * @throws ConfigurationError (field: the package name) when the package is not installed.
 * @example
 * const sdk = optionalPeer<typeof LogsSdk>('@aws-sdk/client-cloudwatch-logs', { needs: 'Auditing to CloudWatch Logs' });
 */
export function optionalPeer<T>(packageName: string, use: PeerUse): T {
  try {
    // A require() on first use is what keeps the module unloaded until then; a static import
    // would load it with keystage.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(packageName) as T;
  } catch (error) {
    if (!isMissing(error, packageName)) throw error;
    throw new ConfigurationError(
      packageName,
      `${use.needs} needs ${packageName}, which is not installed: npm install ${packageName} ` +
        `(an optional peer dependency of keystage)${use.otherwise === undefined ? '' : `, ${use.otherwise}`}.`,
      { cause: error },
    );
  }
}

/** The package itself is missing, not a module it requires in turn. */
function isMissing(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${packageName}'`);
}
