/**
 * Who is calling: the identity an access policy decides about and the audit trail records.
 * A service acting for many callers passes one per call (`{ principal }`); otherwise the
 * client's own applies.
 * @example
 * const principal: Principal = {
 *   id: 'user_123',
 *   email: 'ana@example.com',
 *   service: 'billing',
 *   environment: 'production',
 *   roles: ['developer'],
 *   sourceIp: '203.0.113.7',
 * };
 */
export interface Principal {
  /** A stable id for the caller (a user id, a workload name); rate limits count per id. */
  readonly id: string;
  /** The caller's email, for the audit trail. @default - none */
  readonly email?: string;
  /** The service the call is made by (an access policy's `services`). */
  readonly service: string;
  /** The environment the call is made in (an access policy's `environments`). */
  readonly environment: string;
  /** The caller's roles (an access policy's `roles`); empty for none. */
  readonly roles: readonly string[];
  /** The address the call came from (an access policy's `sourceCidrs`). @default - unknown */
  readonly sourceIp?: string;
  /** The caller's user agent, for the audit trail. @default - none */
  readonly userAgent?: string;
}
