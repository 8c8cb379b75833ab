import { describe, expect, it } from 'vitest'
import { addressPrefix, clientAddress, trustedProxies } from './client-address.js'

describe('addressPrefix', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['::FFFF:c000:0207', '192.0.2.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    ['64:ff9b::192.0.2.7', '64:ff9b:0:0::/64'],
    ['unknown', 'unknown'],
  ])('%s → %s', (address, prefix) => expect(addressPrefix(address)).toBe(prefix))

  it('puts every address of one /64 under one key, and the next /64 under another', () => {
    const a = addressPrefix('2001:db8:0:7::1')
    expect(addressPrefix('2001:db8:0:7:ffff:ffff:ffff:ffff')).toBe(a)
    expect(addressPrefix('2001:db8:0:8::1')).not.toBe(a)
  })
})

describe('clientAddress', () => {
  const proxies = trustedProxies(['127.0.0.1', '10.0.0.0/8', 'fd00::/8'])

  it('is the socket peer when no proxy is trusted, whatever the header says', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9', undefined)).toBe('127.0.0.1')
    expect(clientAddress('198.51.100.1', '203.0.113.9', proxies)).toBe('198.51.100.1')
  })

  it('reads X-Forwarded-For from a trusted proxy, right to left past trusted hops', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9', proxies)).toBe('203.0.113.9')
    expect(clientAddress('::ffff:127.0.0.1', '203.0.113.9', proxies)).toBe('203.0.113.9')
    expect(clientAddress('127.0.0.1', '1.2.3.4, 203.0.113.9, 10.1.1.1', proxies)).toBe('203.0.113.9')
    expect(clientAddress('fd00::5', '2001:db8::1', proxies)).toBe('2001:db8::1')
  })

  it('stops at an entry that is not an address', () => {
    expect(clientAddress('127.0.0.1', 'junk, 10.1.1.1', proxies)).toBe('10.1.1.1')
    expect(clientAddress('127.0.0.1', 'junk', proxies)).toBe('127.0.0.1')
    expect(clientAddress('127.0.0.1', undefined, proxies)).toBe('127.0.0.1')
  })
})

describe('trustedProxies', () => {
  it.each(['', 'proxy.example', '10.0.0.0/33', '::/129', '10.0.0.0/x'])('refuses %j', (entry) => {
    expect(() => trustedProxies([entry])).toThrow(/must be an IP address or ADDRESS\/BITS/)
  })
})
