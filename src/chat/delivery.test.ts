import { describe, expect, it } from 'vitest'
import { bySize, retryAt } from './delivery.js'

describe('retryAt', () => {
  it('asks again within a minute for a recipient with no known device, within 5 for the rest', () => {
    const worst = (unseen: boolean) => Math.max(...[0, 0.5, 0.999].map((r) => retryAt(0, 30, unseen, 0, r)))
    expect(worst(true)).toBeLessThanOrEqual(60_250)
    expect(worst(false)).toBeGreaterThan(60_250)
    expect(worst(false)).toBeLessThanOrEqual(5 * 60_000 + 250)
    // Never before the store's retry-after, never at once.
    expect(retryAt(1000, 0, true, 90_000, 0)).toBe(90_000)
    expect(retryAt(1000, 0, false, 0, 0)).toBeGreaterThanOrEqual(1250)
  })
})

describe('bySize', () => {
  it('keeps every group under the byte budget and the item cap, in order, never splitting an item', () => {
    const sizes = [10, 500, 70, 70, 900, 5, 5, 5]
    const groups = bySize(sizes, (n) => n, 600, 3)
    expect(groups.flat()).toEqual(sizes)
    for (const g of groups) {
      expect(g.length).toBeLessThanOrEqual(3)
      if (g.length > 1) expect(g.reduce((a, n) => a + n + 16, 0)).toBeLessThanOrEqual(600)
    }
    // An item larger than the budget travels alone rather than never.
    expect(groups).toContainEqual([900])
  })

  it('gives nothing for nothing', () => {
    expect(bySize([], (n: number) => n, 100)).toEqual([])
  })
})
