import { inspect } from 'node:util';
import { SecretDecodeError } from '../errors';
import { X25519_KEY_BYTES } from './hpke';
import { FieldReader, lengthPrefixed, strictBase64url } from './length-prefixed';

/** The first field of every envelope: what it is and its format version. */
const ENVELOPE_MAGIC = 'keystage/distribution/envelope';
const ENVELOPE_VERSION = 1;
/** The serialized form's prefix: format 1. */
const SERIALIZED_PREFIX = 'ksenv1.';
/** An ECDSA P-256 signature in DER is at most 72 bytes. */
const MAX_SIGNATURE_BYTES = 72;

/** What an envelope says about itself; all of it is signed, none of it is secret. */
export interface EnvelopeFacts {
  /** The distribution's id; its record is `keystage/distributions/<id>`. */
  readonly id: string;
  /** The distributed secret's name. */
  readonly secretName: string;
  /** The version of the secret that was sealed. */
  readonly secretVersionId: string;
  /** The recipient's principal id. */
  readonly recipient: string;
  /** Hex SHA-256 of the recipient's X25519 public key. */
  readonly recipientKey: string;
  /** Why it was issued, as the issuer said. */
  readonly purpose: string;
  /** Epoch milliseconds. */
  readonly issuedAt: number;
  /** Epoch milliseconds; from this instant on the distribution refuses to open. */
  readonly expiresAt: number;
  readonly maxUses: number;
  /** The ARN of the KMS key that signed the envelope. */
  readonly signingKeyId: string;
}

/** The encrypted parts: two HPKE encapsulations and the sealed value. */
export interface EnvelopeSealedParts {
  /** Encapsulation of the value's mode_psk context. */
  readonly enc: Uint8Array;
  /** Encapsulation of the mode_base context the redemption proof key is exported from. */
  readonly proofEnc: Uint8Array;
  /** The value, sealed (AES-256-GCM inside HPKE). */
  readonly ciphertext: Uint8Array;
}

/**
 * The signed facts: the canonical bytes every HPKE context of the envelope takes as AAD, and
 * the first part of what is signed.
 */
export function envelopeHeader(facts: EnvelopeFacts): Buffer {
  return lengthPrefixed([
    ENVELOPE_MAGIC,
    ENVELOPE_VERSION,
    facts.id,
    facts.secretName,
    facts.secretVersionId,
    facts.recipient,
    facts.recipientKey,
    facts.purpose,
    facts.issuedAt,
    facts.expiresAt,
    facts.maxUses,
    facts.signingKeyId,
  ]);
}

/** Everything that is signed: the header, then the encapsulations and the ciphertext. */
export function envelopeBody(facts: EnvelopeFacts, parts: EnvelopeSealedParts): Buffer {
  return Buffer.concat([
    envelopeHeader(facts),
    lengthPrefixed([parts.enc, parts.proofEnc, parts.ciphertext]),
  ]);
}

function decodeBody(body: Uint8Array): { facts: EnvelopeFacts; parts: EnvelopeSealedParts } {
  const what = 'The envelope';
  const reader = new FieldReader(body, what);
  if (reader.text() !== ENVELOPE_MAGIC || reader.integer() !== ENVELOPE_VERSION) {
    throw new SecretDecodeError(`${what} is not a keystage envelope of format ${ENVELOPE_VERSION}.`);
  }
  const facts: EnvelopeFacts = {
    id: reader.text(),
    secretName: reader.text(),
    secretVersionId: reader.text(),
    recipient: reader.text(),
    recipientKey: reader.text(),
    purpose: reader.text(),
    issuedAt: reader.integer(),
    expiresAt: reader.integer(),
    maxUses: reader.integer(),
    signingKeyId: reader.text(),
  };
  const parts: EnvelopeSealedParts = {
    enc: reader.bytes(X25519_KEY_BYTES),
    proofEnc: reader.bytes(X25519_KEY_BYTES),
    ciphertext: reader.bytes(),
  };
  reader.end();
  return { facts, parts };
}

let partsOf: (envelope: SealedEnvelope) => { body: Buffer; signature: Buffer; parts: EnvelopeSealedParts };
let makeEnvelope: (body: Buffer, signature: Buffer) => SealedEnvelope;

/**
 * A secret sealed to one recipient: what `Distributor.issue` returns and `Recipient.open`
 * takes. Send it as `serialize()` (one line of text); holding it is never enough to read
 * the secret (the recipient's private key and a redemption are needed). Its facts are
 * readable; `JSON.stringify` and `util.inspect` show them and the sizes of the sealed parts,
 * never the parts themselves.
 * @example
 * const text = envelope.serialize(); // 'ksenv1.AAAA….MEUC…'
 * const again = SealedEnvelope.parse(text);
 */
export class SealedEnvelope implements EnvelopeFacts {
  readonly id: string;
  readonly secretName: string;
  readonly secretVersionId: string;
  readonly recipient: string;
  readonly recipientKey: string;
  readonly purpose: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly maxUses: number;
  readonly signingKeyId: string;
  readonly #body: Buffer;
  readonly #signature: Buffer;
  readonly #parts: EnvelopeSealedParts;

  static {
    partsOf = (envelope) => ({
      body: envelope.#body,
      signature: envelope.#signature,
      parts: envelope.#parts,
    });
    makeEnvelope = (body, signature) => new SealedEnvelope(body, signature);
  }

  private constructor(body: Buffer, signature: Buffer) {
    const { facts, parts } = decodeBody(body);
    this.id = facts.id;
    this.secretName = facts.secretName;
    this.secretVersionId = facts.secretVersionId;
    this.recipient = facts.recipient;
    this.recipientKey = facts.recipientKey;
    this.purpose = facts.purpose;
    this.issuedAt = facts.issuedAt;
    this.expiresAt = facts.expiresAt;
    this.maxUses = facts.maxUses;
    this.signingKeyId = facts.signingKeyId;
    this.#body = body;
    this.#signature = signature;
    this.#parts = parts;
  }

  /**
   * An envelope from its serialized form. Only the structure is checked here; the signature
   * is checked by `Recipient.open`.
   * @throws SecretDecodeError when the text is not an envelope (changed, truncated, other format).
   * @example
   * const envelope = SealedEnvelope.parse(request.body);
   */
  static parse(text: string): SealedEnvelope {
    if (typeof text !== 'string' || !text.startsWith(SERIALIZED_PREFIX)) {
      throw new SecretDecodeError(
        `The envelope is not a serialized keystage envelope (it starts '${SERIALIZED_PREFIX}').`,
      );
    }
    const pieces = text.slice(SERIALIZED_PREFIX.length).split('.');
    if (pieces.length !== 2)
      throw new SecretDecodeError('The envelope is malformed: it was changed or truncated.');
    const body = strictBase64url(pieces[0]!, 'The envelope');
    const signature = strictBase64url(pieces[1]!, 'The envelope signature');
    if (signature.length === 0 || signature.length > MAX_SIGNATURE_BYTES) {
      throw new SecretDecodeError('The envelope signature is malformed: it was changed or truncated.');
    }
    return new SealedEnvelope(body, signature);
  }

  /** The envelope as one line of text: `ksenv1.<body>.<signature>`, both base64url. */
  serialize(): string {
    return `${SERIALIZED_PREFIX}${this.#body.toString('base64url')}.${this.#signature.toString('base64url')}`;
  }

  /** The signed facts and the sizes of the sealed parts; never the parts. */
  toJSON(): EnvelopeFacts & { sealedBytes: number } {
    return {
      id: this.id,
      secretName: this.secretName,
      secretVersionId: this.secretVersionId,
      recipient: this.recipient,
      recipientKey: this.recipientKey,
      purpose: this.purpose,
      issuedAt: this.issuedAt,
      expiresAt: this.expiresAt,
      maxUses: this.maxUses,
      signingKeyId: this.signingKeyId,
      sealedBytes: this.#parts.ciphertext.length,
    };
  }

  [inspect.custom](): string {
    return `SealedEnvelope ${inspect(this.toJSON())}`;
  }
}

/** An envelope from its signed body and signature (the distributor's side). */
export function assembleEnvelope(body: Buffer, signature: Buffer): SealedEnvelope {
  return makeEnvelope(body, signature);
}

/** The signed bytes, the signature and the sealed parts of an envelope. */
export function envelopeParts(envelope: SealedEnvelope): {
  body: Buffer;
  signature: Buffer;
  parts: EnvelopeSealedParts;
} {
  return partsOf(envelope);
}
