import { describe, expect, it } from 'vitest'
import { pooledRandomBytes } from './random-pool.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('pooledRandomBytes', () => {
  it('never hands out the same bytes twice, across refills of the pool', () => {
    const random = pooledRandomBytes(64)
    const drawn = Array.from({ length: 1_000 }, () => random(16))
    expect(drawn.every((b) => b.byteLength === 16)).toBe(true)
    expect(new Set(drawn.map(hex)).size).toBe(1_000)
  })

  it('draws more than a pool at once, and an odd length at the pool end', () => {
    const random = pooledRandomBytes(64)
    expect(random(100).byteLength).toBe(100)
    random(60)
    const odd = random(7)
    expect(odd.byteLength).toBe(7)
  })
})
