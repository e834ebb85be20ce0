import { describe, expect, it } from 'vitest';
import { isPrivateAddress, privateLiteralAddress } from './address-guard.js';

describe('isPrivateAddress decides by the address a form reaches', () => {
  it.each([
    // IPv4-compatible (::/96): the IPv4 address is in the last 32 bits.
    ['::a00:1', true],
    ['::7f00:1', true],
    ['::10.0.0.1', true],
    ['::808:808', false],
    // IPv4-mapped in every spelling.
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['0:0:0:0:0:ffff:7f00:0001', true],
    ['::FFFF:C0A8:0101', true],
    ['::ffff:8.8.8.8', false],
    // IPv4-translated (::ffff:0:0/96).
    ['::ffff:0:7f00:1', true],
    ['::ffff:0:a00:1', true],
    ['::ffff:0:808:808', false],
    // 6to4: the IPv4 address in the second and third words.
    ['2002:a00:1::', true],
    ['2002:7f00:1::1', true],
    ['2002:c0a8:101::', true],
    ['2002:808:808::1', false],
    // NAT64: the well-known prefix carries the IPv4 address; the local-use prefix stays inside.
    ['64:ff9b::10.0.0.1', true],
    ['64:ff9b::808:808', false],
    ['64:ff9b:1::1', true],
    ['64:ff9b:1:ffff::8.8.8.8', true],
    // Ranges that reach no public host.
    ['fec0::1', true],
    ['feff::1', true],
    ['100::1', true],
    ['100::ffff:ffff:ffff:ffff', true],
    ['2001::1', true], // Teredo
    ['2001:db8::1', true],
    ['fe80::1%eth0', true],
    ['[::1]', true],
    ['ff02::1', true],
    // Public addresses stay reachable.
    ['2001:4860:4860::8888', false],
    ['2606:4700:4700::1111', false],
    ['2a00:1450:4001:80b::200e', false],
    ['100:1::1', false],
    // Not an address at all.
    ['1::2::3', true],
    ['', true],
  ])('%s private: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });

  it('checks the literal hosts of URLs the same way', () => {
    for (const url of [
      'http://[::a00:1]/x.png',
      'http://[::ffff:0:7f00:1]/x.png',
      'http://[2002:a00:1::]/x.png',
      'http://[::ffff:127.0.0.1]/x.png',
      'http://0.0.0.0/x.png',
      'http://2130706433/x.png', // 127.0.0.1 in decimal
      'http://0x7f.1/x.png',
    ])
      expect(privateLiteralAddress(new URL(url)), url).toBeDefined();
    expect(privateLiteralAddress(new URL('http://[2606:4700:4700::1111]/x.png'))).toBeUndefined();
    expect(privateLiteralAddress(new URL('http://8.8.8.8/x.png'))).toBeUndefined();
  });
});
