/**
 * Who is asking: the client's address as the authority's limits see it.
 *
 * Limits key on an address prefix, not the full address. IPv6 uses the /64:
 * one subscriber gets at least a /64 and may take any address in it at will,
 * so a /128 key gives one attacker 2^64 fresh budgets. IPv4 uses the full /32:
 * addresses are scarce and already shared (NAT, carrier-grade NAT), and a /24
 * would let one attacker use up the budget of up to 256 unrelated homes on the
 * same provider's block.
 *
 * Behind a reverse proxy every client arrives from the proxy's address. An
 * operator names the proxies (`--trusted-proxy`); only then is
 * X-Forwarded-For read, right to left, past the trusted hops. A client that
 * is not a trusted proxy cannot choose its key by sending the header.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net'

export class TrustedProxyFormatError extends Error {
  override name = 'TrustedProxyFormatError'
}

/** The key the limits use for an address: "a.b.c.d" or "h:h:h:h::/64". Unparsable input is kept as it is. */
export function addressPrefix(address: string): string {
  const ip = address.replace(/%.*$/, '')
  if (isIPv4(ip)) return ip
  const groups = ipv6Groups(ip)
  if (groups === undefined) return address
  const mapped = groups.slice(0, 6).every((g, i) => g === (i === 5 ? 0xffff : 0))
  if (mapped) {
    const [hi = 0, lo = 0] = groups.slice(6)
    return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.')
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`
}

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
function ipv6Groups(ip: string): number[] | undefined {
  if (!isIPv6(ip)) return undefined
  let text = ip
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1]
  if (v4 !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number)
    text = `${text.slice(0, -v4.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)))
  const left = parse(head)
  const right = tail === undefined ? [] : parse(tail)
  const fill = 8 - left.length - right.length
  return [...left, ...Array<number>(tail === undefined ? 0 : fill).fill(0), ...right]
}

/** A set of trusted proxies from "ADDRESS" or "ADDRESS/BITS" entries. */
export function trustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList()
  for (const entry of entries) {
    const [ip = '', bits] = entry.split('/', 2)
    const family = isIPv4(ip) ? 'ipv4' : isIPv6(ip) ? 'ipv6' : undefined
    const prefix = bits === undefined ? undefined : Number(bits)
    const max = family === 'ipv4' ? 32 : 128
    if (
      family === undefined ||
      (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= max))
    )
      throw new TrustedProxyFormatError(`--trusted-proxy "${entry}" must be an IP address or ADDRESS/BITS`)
    if (prefix === undefined) list.addAddress(ip, family)
    else list.addSubnet(ip, prefix, family)
  }
  return list
}

function isTrusted(list: BlockList, address: string): boolean {
  const ip = address.replace(/%.*$/, '')
  if (isIPv4(ip)) return list.check(ip, 'ipv4')
  if (!isIPv6(ip)) return false
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1]
  return list.check(ip, 'ipv6') || (v4 !== undefined && list.check(v4, 'ipv4'))
}

/**
 * The client's address: the socket's peer, or, when that peer is a trusted
 * proxy, the rightmost X-Forwarded-For entry that is not one. An entry that
 * is not an address stops the walk: the last proxy is then taken as the client.
 */
export function clientAddress(
  peer: string,
  forwardedFor: string | undefined,
  trusted: BlockList | undefined,
): string {
  if (trusted === undefined || forwardedFor === undefined || !isTrusted(trusted, peer)) return peer
  let client = peer
  const hops = forwardedFor.split(',').map((h) => h.trim())
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? ''
    if (!isIPv4(hop) && !isIPv6(hop)) break
    client = hop
    if (!isTrusted(trusted, hop)) break
  }
  return client
}
