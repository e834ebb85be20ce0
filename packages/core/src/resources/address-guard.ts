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
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64 can reach private IPv4
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/**
 * True when an IP address is private, loopback, link-local, unspecified, multicast
 * or reserved (IPv4-mapped IPv6 addresses are checked as IPv4).
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
    if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
    return blocked.check(bare, 'ipv6');
  }
  return true;
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
 * A `lookup` for sockets (`net.connect`, undici's `connect.lookup`) that refuses a host
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
