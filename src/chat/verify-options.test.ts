import { describe, expect, it } from 'vitest'
import { verifyOptions, VERIFY_OPTIONS_TTL_MS } from './verify-options.js'

describe('verifyOptions', () => {
  it('reads the network from the files at most every 10 s, while the time and revocations are live', () => {
    let now = 1_000_000
    let reads = 0
    const revoked = new Set<string>()
    const options = verifyOptions({
      network: () => {
        reads++
        return { networkPublicKey: new Uint8Array([reads]), networkId: `net-${reads}` }
      },
      isRevoked: (id) => revoked.has(id),
      clock: { now: () => now },
    })
    expect(options()).toMatchObject({ networkId: 'net-1', now: 1_000_000 })
    now += VERIFY_OPTIONS_TTL_MS
    revoked.add('stolen-laptop')
    const later = options()
    expect(later).toMatchObject({ networkId: 'net-1', now: 1_000_000 + VERIFY_OPTIONS_TTL_MS })
    expect(later.isRevoked?.('stolen-laptop', 1n)).toBe(true)
    expect(reads).toBe(1)
    now += 1
    expect(options().networkId).toBe('net-2')
    expect(reads).toBe(2)
  })
})
