import type { DatabaseSecret } from '../../lib/core';
import { RotationFailure } from '../errors';
import type { ConnectionSettings } from './secret';

// Node's certificate and TLS errors (ERR_TLS_CERT_ALTNAME_INVALID, SELF_SIGNED_CERT_IN_CHAIN,
// UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED...) and mysql2's HANDSHAKE_SSL_ERROR.
const TLS_REFUSED = /^(ERR_TLS_|ERR_SSL_|HANDSHAKE_|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|HOSTNAME_)/;

/**
 * The DATABASE_UNREACHABLE failure for a connection that did not come up: no answer in time,
 * or TLS refused (the certificate does not chain to a trusted CA or does not name the host).
 * The driver's message is kept (it names addresses, certificate names and timeouts), with
 * the login's password cut out should a driver ever quote it.
 */
export function unreachable(
  engine: string,
  secret: DatabaseSecret,
  settings: ConnectionSettings,
  error: unknown,
): RotationFailure {
  const said = error instanceof Error ? error.message : String(error);
  const reason = said.split(secret.password).join('[password]');
  const code = (error as { code?: unknown } | null)?.code;
  const where = `${engine} at ${secret.host}:${secret.port}`;
  const message =
    typeof code === 'string' && TLS_REFUSED.test(code)
      ? `The TLS connection to ${where} was refused: ${reason}. The server's certificate must chain to a CA the function trusts (Node's bundle and NODE_EXTRA_CA_CERTS) and name the secret's host.`
      : `Could not connect to ${where} within ${settings.connectTimeoutMs} ms: ${reason}`;
  return new RotationFailure('DATABASE_UNREACHABLE', message, { cause: error });
}
