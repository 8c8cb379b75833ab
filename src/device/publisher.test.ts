import { describe, expect, it } from 'vitest'
import { LOST_LINK_SPREAD_MS, publishDelayMs } from './publisher.js'

/** A fixed sequence of draws in [0, 1): what Math.random would give, spread evenly. */
function draws(n: number): () => number {
  let i = 0
  return () => (i++ % n) / n
}

describe('publishDelayMs', () => {
  it('publishes a new attachment at once (a short debounce that joins changes in a burst)', () => {
    const random = draws(10)
    const delays = Array.from({ length: 10 }, () => publishDelayMs('attached', random))
    expect(new Set(delays)).toEqual(new Set([150]))
  })

  it('spreads the publishes of devices that lost the same supernode over a few seconds', () => {
    const random = draws(100)
    const delays = Array.from({ length: 100 }, () => publishDelayMs('lost', random))
    expect(Math.min(...delays)).toBe(150)
    expect(Math.max(...delays)).toBeGreaterThan(150 + 0.9 * LOST_LINK_SPREAD_MS)
    expect(Math.max(...delays)).toBeLessThan(150 + LOST_LINK_SPREAD_MS)
    // Evenly: a quarter of the devices in each quarter of the spread, not a burst at its start.
    const quarter = (d: number): number => Math.floor(((d - 150) / LOST_LINK_SPREAD_MS) * 4)
    const perQuarter = [0, 1, 2, 3].map((q) => delays.filter((d) => quarter(d) === q).length)
    expect(perQuarter).toEqual([25, 25, 25, 25])
  })
})
