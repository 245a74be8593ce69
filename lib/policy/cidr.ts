/**
 * IP addresses and CIDR blocks, parsed strictly and compared as numbers: no regular
 * expressions, no DNS, no lenient forms (`010.1.1.1`, `1.2.3`, zone ids) that mean different
 * things to different parsers.
 *
 * One address space: an IPv4 address is the IPv4-mapped IPv6 address `::ffff:a.b.c.d`, as
 * node's `net.BlockList` treats it. So `10.0.0.0/8` matches `::ffff:10.1.2.3`, and `::/0`
 * matches every address, IPv4 included.
 */

/** A 128-bit address as four 32-bit words, most significant first. */
export type Address = readonly [number, number, number, number];

/** A parsed CIDR block. */
export interface Cidr {
  /** The block as written. */
  readonly text: string;
  /** 4 when written as IPv4 (prefix 0-32), 6 when written as IPv6 (prefix 0-128). */
  readonly family: 4 | 6;
  /** The network address, in the one 128-bit space. */
  readonly network: Address;
  /** The prefix length in the 128-bit space (an IPv4 /8 is /104). */
  readonly prefix: number;
}

/** A parsed block, or why the text is not one. */
export type CidrResult =
  { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly problem: string };

const MAPPED_PREFIX = 0xffff;

/** Parses a dotted quad: four decimal octets 0-255 without leading zeros. */
function parseIpv4Words(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    const octet = parseDecimal(part, 255);
    if (octet === undefined) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** A decimal number 0..max, digits only, no leading zero, or undefined. */
function parseDecimal(text: string, max: number): number | undefined {
  if (text.length === 0 || text.length > 3 || (text.length > 1 && text.charCodeAt(0) === 48))
    return undefined;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value <= max ? value : undefined;
}

/** A group of 1-4 hexadecimal digits, or undefined. */
function parseGroup(text: string): number | undefined {
  if (text.length === 0 || text.length > 4) return undefined;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const digit =
      c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (digit < 0) return undefined;
    value = value * 16 + digit;
  }
  return value;
}

/** Eight 16-bit groups of an IPv6 address (`::` once at most, a dotted quad at the end), or undefined. */
function parseIpv6Groups(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string, last: boolean): number[] | undefined => {
    if (part.length === 0) return [];
    const fields = part.split(':');
    const groups: number[] = [];
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      if (last && i === fields.length - 1 && field.includes('.')) {
        const v4 = parseIpv4Words(field);
        if (v4 === undefined) return undefined;
        groups.push(Math.floor(v4 / 65536), v4 % 65536);
      } else {
        const group = parseGroup(field);
        if (group === undefined) return undefined;
        groups.push(group);
      }
    }
    return groups;
  };
  if (halves.length === 1) {
    const groups = groupsOf(text, true);
    return groups !== undefined && groups.length === 8 ? groups : undefined;
  }
  const head = groupsOf(halves[0]!, false);
  const tail = groupsOf(halves[1]!, true);
  // `::` stands for one or more zero groups.
  if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

function fromGroups(groups: readonly number[]): Address {
  return [
    groups[0]! * 65536 + groups[1]!,
    groups[2]! * 65536 + groups[3]!,
    groups[4]! * 65536 + groups[5]!,
    groups[6]! * 65536 + groups[7]!,
  ];
}

/**
 * The address of `text` in the one 128-bit space, and the family it was written in; undefined
 * for anything but a strict IPv4 or IPv6 address.
 * @example
 * parseAddress('10.1.2.3')?.family; // 4
 * parseAddress('localhost'); // undefined
 */
export function parseAddress(
  text: string,
): { readonly address: Address; readonly family: 4 | 6 } | undefined {
  if (text.includes(':')) {
    const groups = parseIpv6Groups(text);
    return groups === undefined ? undefined : { address: fromGroups(groups), family: 6 };
  }
  const v4 = parseIpv4Words(text);
  return v4 === undefined ? undefined : { address: [0, 0, MAPPED_PREFIX, v4], family: 4 };
}

/** The mask of the bits of word `word` (0-3) that a 128-bit prefix covers. */
function wordMask(prefix: number, word: number): number {
  const bits = Math.min(32, Math.max(0, prefix - word * 32));
  return bits === 0 ? 0 : bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
}

/**
 * Parses a CIDR block (`10.0.0.0/8`, `2001:db8::/32`) or a single address (a /32 or /128).
 * Host bits must be zero: `10.0.0.1/8` is refused, since it is usually a typo for a /32.
 * @example
 * const result = parseCidr('10.0.0.0/8');
 * if (result.ok) cidrContains(result.cidr, parseAddress('10.1.2.3')!.address); // true
 */
export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  const host = slash < 0 ? text : text.slice(0, slash);
  const parsed = parseAddress(host);
  if (parsed === undefined) {
    return {
      ok: false,
      problem: 'is not an IPv4 address (four decimal octets 0-255) or an IPv6 address (hex groups, :: once)',
    };
  }
  const max = parsed.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const length = parseDecimal(text.slice(slash + 1), max);
    if (length === undefined) return { ok: false, problem: `has a prefix length that is not 0 to ${max}` };
    prefix = length;
  }
  const full = parsed.family === 4 ? prefix + 96 : prefix;
  for (let word = 0; word < 4; word++) {
    if ((parsed.address[word]! & ~wordMask(full, word)) !== 0) {
      return { ok: false, problem: `has host bits set: the network of a /${prefix} ends in zero bits` };
    }
  }
  return { ok: true, cidr: { text, family: parsed.family, network: parsed.address, prefix: full } };
}

/**
 * Whether `address` is inside the block.
 * @example
 * const block = parseCidr('2001:db8::/32');
 * block.ok && cidrContains(block.cidr, parseAddress('2001:db8::7')!.address); // true
 */
export function cidrContains(cidr: Cidr, address: Address): boolean {
  for (let word = 0; word < 4; word++) {
    const mask = wordMask(cidr.prefix, word);
    if (mask === 0) return true;
    if ((address[word]! & mask) >>> 0 !== cidr.network[word]) return false;
  }
  return true;
}

/** Whether the block lies inside the IPv4-mapped range `::ffff:0:0/96`, so IPv4 can say it. */
export function isIpv4Block(cidr: Cidr): boolean {
  return (
    cidr.prefix >= 96 && cidr.network[0] === 0 && cidr.network[1] === 0 && cidr.network[2] === MAPPED_PREFIX
  );
}

/** Whether the block holds every IPv4 address (the whole `::ffff:0:0/96`). */
export function coversIpv4(cidr: Cidr): boolean {
  return cidr.prefix <= 96 && cidrContains(cidr, [0, 0, MAPPED_PREFIX, 0]);
}

/** The block in IPv4 notation (`10.0.0.0/8`); only for blocks {@link isIpv4Block} accepts. */
export function ipv4Notation(cidr: Cidr): string {
  const v = cidr.network[3];
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${cidr.prefix - 96}`;
}
