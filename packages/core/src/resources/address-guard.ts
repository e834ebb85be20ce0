import { type LookupAddress, type LookupOptions, lookup as lookupCallback } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Address ranges that a server-side resolver must not reach: private, loopback, link-local and friends. */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata endpoints
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
// IPv6 ranges that reach no public host. Forms that carry an IPv4 address (mapped,
// compatible, translated, 6to4, NAT64) are decided by that address instead (ipv4Inside).
for (const [net, prefix] of [
  ['64:ff9b:1::', 48], // local-use NAT64: translated inside the network
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments: Teredo (its IPv4 is obscured), ORCHID, benchmarking
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed inside some networks)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/**
 * True when an IP address reaches a private, loopback, link-local, unspecified, multicast
 * or reserved host. An IPv6 address that carries an IPv4 address (IPv4-mapped
 * `::ffff:a.b.c.d` in any spelling, IPv4-compatible `::a.b.c.d`, IPv4-translated
 * `::ffff:0:a.b.c.d`, 6to4 `2002:AABB:CCDD::`, NAT64 `64:ff9b::a.b.c.d`) is decided by
 * the IPv4 address it reaches. Anything that is not an IP address counts as private.
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family !== 6) return true;
  const words = ipv6Words(bare);
  if (words === undefined) return true;
  const inner = ipv4Inside(words);
  if (inner !== undefined) return blocked.check(inner, 'ipv4');
  return blocked.check(bare, 'ipv6');
}

/** The IPv4 address an IPv6 address carries, in the forms that route to it, if any. */
function ipv4Inside(w: number[]): string | undefined {
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  // ::/96 (IPv4-compatible, and :: and ::1), ::ffff:0:0/96 (mapped), ::ffff:0:0:0/96 (translated).
  if (zeros(0, 5) && (w[5] === 0 || w[5] === 0xffff)) return v4(w[6]!, w[7]!);
  if (zeros(0, 4) && w[4] === 0xffff && w[5] === 0) return v4(w[6]!, w[7]!);
  if (w[0] === 0x2002) return v4(w[1]!, w[2]!); // 6to4
  if (w[0] === 0x64 && w[1] === 0xff9b && zeros(2, 6)) return v4(w[6]!, w[7]!); // NAT64
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (`::` expanded, a trailing dotted IPv4 split). */
function ipv6Words(text: string): number[] | undefined {
  let body = text.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(body);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    body = `${body.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail, extra] = body.split('::');
  if (extra !== undefined) return undefined;
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((h) => Number.parseInt(h, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const words = [...left, ...new Array<number>(Math.max(fill, 0)).fill(0), ...right];
  return words.length === 8 && words.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffff)
    ? words
    : undefined;
}

/**
 * The private address a URL names directly (an IP literal host), or undefined. Sockets
 * do not look literals up, so these are checked here; host names are checked by
 * {@link guardedLookup} on the lookup the connection itself makes.
 */
export function privateLiteralAddress(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) && isPrivateAddress(host) ? host : undefined;
}

/** The error code of a connection refused by {@link guardedLookup}. */
export const PRIVATE_ADDRESS_CODE = 'ERR_LSCONV_PRIVATE_ADDRESS';

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for sockets (`net.connect`, an http(s) `Agent`) that refuses a host
 * name when any address it resolves to is private. The check happens on the lookup the
 * connection itself uses, so a DNS server cannot answer the address check with a public
 * address and the connection with a private one (DNS rebinding).
 */
export function guardedLookup(
  hostname: string,
  options: LookupOptions,
  callback: LookupCallback,
  resolve: typeof lookupCallback = lookupCallback,
): void {
  resolve(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const list = addresses as LookupAddress[];
    const bad = list.find((entry) => isPrivateAddress(entry.address));
    if (bad) {
      const refused: NodeJS.ErrnoException = new Error(
        `${hostname} resolves to the private address ${bad.address}, which is not allowed here`,
      );
      refused.code = PRIVATE_ADDRESS_CODE;
      return callback(refused, []);
    }
    if (options.all) return callback(null, list);
    const first = list[0];
    if (!first) {
      const none: NodeJS.ErrnoException = new Error(`${hostname} has no address`);
      none.code = 'ENOTFOUND';
      return callback(none, []);
    }
    callback(null, first.address, first.family);
  });
}
