import { describe, expect, it } from 'vitest'
import { bySize } from './delivery.js'

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
