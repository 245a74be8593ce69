import type { Operation } from '../operation';
import type { Transaction } from '../storage/table';
import { flag, text, textList as checkedTextList } from '../checked-body';
import type { Body } from '../wire';

export { flag, integer, text } from '../checked-body';
import { dryRun, unsupported, validation } from './faults';
import type { KeyRecord, KeyStore, LookupOptions } from './keys';

/** What a KMS operation works with. */
export interface KmsContext {
  readonly keys: KeyStore;
  /** The operation's changes; committed (and made durable) only if it returns. */
  readonly tx: Transaction;
  readonly region: string;
  /** The endpoint's clock (ms since epoch). */
  readonly now: () => number;
}

/** An operation's behaviour; its input was checked against its shape before it runs. */
export type Run = Operation<KmsContext>['run'];

// Members are read with the endpoint's checked-body readers; KMS adds blobs and its defaults.

/** A string member that must be there (its shape says required). */
export function requiredText(body: Body, name: string): string {
  const value = text(body, name);
  if (value === undefined) throw validation(`${name} is required.`);
  return value;
}

/** A blob member, decoded from base64. */
export function bytes(body: Body, name: string): Buffer | undefined {
  const value = text(body, name);
  return value === undefined ? undefined : Buffer.from(value, 'base64');
}

/** A blob member that must be there (its shape says required). */
export function requiredBytes(body: Body, name: string): Buffer {
  const value = bytes(body, name);
  if (value === undefined) throw validation(`${name} is required.`);
  return value;
}

/** A list-of-strings member: absent is empty. */
export function textList(body: Body, name: string): string[] {
  return checkedTextList(body, name) ?? [];
}

/** An encryption context: absent is empty. */
export function encryptionContext(body: Body, name: string): Readonly<Record<string, string>> {
  const value = body[name];
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, string>)
    : {};
}

/** Epoch seconds, as AWS JSON protocols send timestamps. */
export const seconds = (ms: number): number => ms / 1000;

/**
 * How cryptographic operations take keys: by key id, key ARN, alias name or alias ARN. They
 * do not document InvalidArnException, so a malformed ARN is a key that is not found.
 */
export const CRYPTO_KEY_ID: LookupOptions = { aliases: true, invalidArn: false };

/** The key a request names, at the endpoint's clock. */
export function keyOf(ctx: KmsContext, keyId: string, options?: LookupOptions): KeyRecord {
  return ctx.keys.lookup(ctx.tx, keyId, ctx.region, ctx.now(), options);
}

/** For operations that document DryRun: everything checked, nothing done. */
export function finish<T extends object>(body: Body, result: T): T {
  if (flag(body, 'DryRun') === true) throw dryRun();
  return result;
}

/** Nitro Enclaves attestation is out of the endpoint's reach: answering in plaintext instead would mislead. */
export function refuseRecipient(body: Body): void {
  if (body.Recipient !== undefined) {
    throw unsupported(
      'Recipient (an AWS Nitro Enclaves attestation document) is not supported by the local endpoint: omit it.',
    );
  }
}
