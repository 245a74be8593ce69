import { isIP } from 'node:net';
import { ValidationError, show } from '../errors';

/** The key pair a certificate is made for: ECDSA on P-256 or P-384, or RSA of 2048 or 3072 bits. */
export type CertificateKeyAlgorithm = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048' | 'rsa-3072';

/** Every {@link CertificateKeyAlgorithm}, in the order messages list them. */
export const CERTIFICATE_KEY_ALGORITHMS: readonly CertificateKeyAlgorithm[] = [
  'ecdsa-p256',
  'ecdsa-p384',
  'rsa-2048',
  'rsa-3072',
];

/** What a leaf certificate's key may be used for (the extended key usage extension). */
export type ExtendedKeyUsageName = 'serverAuth' | 'clientAuth';

const EXTENDED_KEY_USAGES: readonly ExtendedKeyUsageName[] = ['serverAuth', 'clientAuth'];

/** The distinguished name a certificate is issued to. */
export interface CertificateNameOptions {
  /** The subject's common name (CN), 1 to 64 characters. */
  readonly commonName: string;
  /** O, 1 to 64 characters. @default - none */
  readonly organization?: string;
  /** OU, 1 to 64 characters. @default - none */
  readonly organizationalUnit?: string;
  /** C, two capital letters (ISO 3166). @default - none */
  readonly country?: string;
}

/** Subject alternative names: what TLS clients check a server's (or client's) name against. */
export interface SubjectAlternativeNames {
  /** DNS names, each a host name (`api.example.com`) or a wildcard (`*.example.com`), ASCII. @default - none */
  readonly dns?: readonly string[];
  /** IPv4 or IPv6 addresses. @default - none */
  readonly ip?: readonly string[];
  /** URIs with a scheme (`spiffe://example.org/billing`), ASCII. @default - none */
  readonly uri?: readonly string[];
}

/** When a certificate is valid. */
export interface CertificateValidityOptions {
  /**
   * How long it is valid, in whole days from `now`, 1 to 36500. A leaf never outlives its CA:
   * its end is moved to the CA's when it would be later.
   * @default 3650 for a CA, 90 for a leaf
   */
  readonly validityDays?: number;
  /**
   * How far before `now` it starts, in whole seconds, 0 to 86400, so that a peer whose clock
   * is a little behind accepts it at once.
   * @default 300 (5 minutes)
   */
  readonly backdateSeconds?: number;
  /** The time it is issued at. @default - the current time */
  readonly now?: Date;
}

/** The checked name: attribute type to value, in the order they appear in the DN. */
export type CheckedName = ReadonlyArray<readonly [attribute: 'C' | 'O' | 'OU' | 'CN', value: string]>;

const MAX_NAME_PART = 64;
const DAY_MS = 86_400_000;

function text(value: unknown, field: string, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME_PART) {
    throw new ValidationError(
      field,
      `${field} must be ${what} of 1 to ${MAX_NAME_PART} characters; got ${show(value)}.`,
    );
  }
  // Control characters have no business in a name and confuse every tool that prints one.
  if ([...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new ValidationError(field, `${field} must not contain control characters; got ${show(value)}.`);
  }
  return value;
}

/**
 * The subject's distinguished name from `options`, checked, most general attribute first.
 * @example
 * checkName({ commonName: 'api.internal', organization: 'Acme' }, 'certificate'); // [['O','Acme'],['CN','api.internal']]
 */
export function checkName(options: CertificateNameOptions, at: string): CheckedName {
  const name: Array<readonly ['C' | 'O' | 'OU' | 'CN', string]> = [];
  if (options.country !== undefined) {
    if (typeof options.country !== 'string' || !/^[A-Z]{2}$/.test(options.country)) {
      throw new ValidationError(
        `${at}.country`,
        `${at}.country must be two capital letters (ISO 3166, e.g. "DE"); got ${show(options.country)}.`,
      );
    }
    name.push(['C', options.country]);
  }
  if (options.organization !== undefined) {
    name.push(['O', text(options.organization, `${at}.organization`, 'a string')]);
  }
  if (options.organizationalUnit !== undefined) {
    name.push(['OU', text(options.organizationalUnit, `${at}.organizationalUnit`, 'a string')]);
  }
  name.push(['CN', text(options.commonName, `${at}.commonName`, 'a string')]);
  return name;
}

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/**
 * True for an ASCII host name, optionally with a wildcard as its whole first label.
 * @example
 * isDnsName('*.api.internal'); // true
 * isDnsName('a.*.internal'); // false
 */
export function isDnsName(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  const labels = value.split('.');
  if (labels[0] === '*' && labels.length > 2) labels.shift();
  return labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels[labels.length - 1]!);
}

function list(value: unknown, field: string): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new ValidationError(field, `${field} must be an array; got ${show(value)}.`);
  if (value.length > 100)
    throw new ValidationError(field, `${field} holds ${value.length} names; at most 100.`);
  return value;
}

/** A SAN in the form the X.509 library takes, without naming its types. */
export interface CheckedAltName {
  readonly type: 'dns' | 'ip' | 'url';
  readonly value: string;
}

/**
 * The subject alternative names, each checked: DNS names as host names (wildcard first label
 * allowed), IP addresses with node:net `isIP`, URIs as ASCII URLs with a scheme.
 * @example
 * checkAltNames({ dns: ['api.internal'], ip: ['10.0.0.7'] }, 'sans');
 */
export function checkAltNames(sans: SubjectAlternativeNames | undefined, at: string): CheckedAltName[] {
  if (sans === undefined) return [];
  if (typeof sans !== 'object' || sans === null || Array.isArray(sans)) {
    throw new ValidationError(at, `${at} must be an object { dns?, ip?, uri? }; got ${show(sans)}.`);
  }
  const unknown = Object.keys(sans).find((key) => !['dns', 'ip', 'uri'].includes(key));
  if (unknown !== undefined) {
    throw new ValidationError(`${at}.${unknown}`, `${at} takes dns, ip and uri; got ${show(unknown)}.`);
  }
  const names: CheckedAltName[] = [];
  list(sans.dns, `${at}.dns`).forEach((value, i) => {
    if (typeof value !== 'string' || !isDnsName(value)) {
      throw new ValidationError(
        `${at}.dns[${i}]`,
        `${at}.dns[${i}] must be a DNS name such as api.example.com or *.example.com (ASCII; punycode for others); got ${show(value)}.`,
      );
    }
    names.push({ type: 'dns', value });
  });
  list(sans.ip, `${at}.ip`).forEach((value, i) => {
    if (typeof value !== 'string' || isIP(value) === 0) {
      throw new ValidationError(
        `${at}.ip[${i}]`,
        `${at}.ip[${i}] must be an IPv4 or IPv6 address; got ${show(value)}.`,
      );
    }
    names.push({ type: 'ip', value });
  });
  list(sans.uri, `${at}.uri`).forEach((value, i) => {
    if (
      typeof value !== 'string' ||
      !/^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]+$/.test(value) ||
      !URL.canParse(value)
    ) {
      throw new ValidationError(
        `${at}.uri[${i}]`,
        `${at}.uri[${i}] must be an ASCII URI with a scheme, such as spiffe://example.org/app; got ${show(value)}.`,
      );
    }
    names.push({ type: 'url', value });
  });
  return names;
}

/**
 * Checks a key algorithm option; `ecdsa-p256` when unset.
 * @example
 * checkKeyAlgorithm(options.keyAlgorithm, 'keyAlgorithm');
 */
export function checkKeyAlgorithm(value: unknown, field: string): CertificateKeyAlgorithm {
  if (value === undefined) return 'ecdsa-p256';
  if (!(CERTIFICATE_KEY_ALGORITHMS as readonly unknown[]).includes(value)) {
    throw new ValidationError(
      field,
      `${field} must be one of ${CERTIFICATE_KEY_ALGORITHMS.join(', ')}; got ${show(value)}.`,
    );
  }
  return value as CertificateKeyAlgorithm;
}

/**
 * Checks the extended key usages of a leaf; `['serverAuth']` when unset.
 * @example
 * checkExtendedKeyUsage(['serverAuth', 'clientAuth'], 'extendedKeyUsage');
 */
export function checkExtendedKeyUsage(value: unknown, field: string): readonly ExtendedKeyUsageName[] {
  if (value === undefined) return ['serverAuth'];
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((usage) => !(EXTENDED_KEY_USAGES as readonly unknown[]).includes(usage))
  ) {
    throw new ValidationError(
      field,
      `${field} must be a non-empty array of ${EXTENDED_KEY_USAGES.join(', ')}; got ${show(value)}.`,
    );
  }
  return [...new Set(value as ExtendedKeyUsageName[])];
}

/** The checked validity window, before clamping to an issuer. */
export interface CheckedValidity {
  readonly now: Date;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

function wholeNumber(value: unknown, field: string, min: number, max: number, unit: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(
      field,
      `${field} must be a whole number of ${unit} from ${min} to ${max}; got ${show(value)}.`,
    );
  }
  return value;
}

/**
 * The validity window from the options: `now - backdateSeconds` to `now + validityDays`.
 * @example
 * checkValidity({ validityDays: 30 }, 90); // { now, notBefore: now - 5 min, notAfter: now + 30 days }
 */
export function checkValidity(options: CertificateValidityOptions, defaultDays: number): CheckedValidity {
  const days = wholeNumber(options.validityDays ?? defaultDays, 'validityDays', 1, 36_500, 'days');
  const backdate = wholeNumber(options.backdateSeconds ?? 300, 'backdateSeconds', 0, 86_400, 'seconds');
  const now = options.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new ValidationError('now', `now must be a valid Date; got ${show(now)}.`);
  }
  // Whole seconds: certificates carry no fractions, and a round trip must compare equal.
  const at = Math.floor(now.getTime() / 1000) * 1000;
  return {
    now,
    notBefore: new Date(at - backdate * 1000),
    notAfter: new Date(at + days * DAY_MS),
  };
}
