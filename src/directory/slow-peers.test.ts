import { describe, expect, it } from 'vitest'
import { SlowPeers } from './slow-peers.js'

/** Virtual time: the cache reads this clock, never the real one. */
function clock() {
  const c = { t: 1_000, now: () => c.t }
  return c
}

describe('SlowPeers', () => {
  it('keeps a peer slow from a failure until it answers', () => {
    const c = clock()
    const slow = new SlowPeers({ ttlMs: 10_000, max: 10, clock: c })
    expect(slow.isSlow('a')).toBe(false)
    slow.failed('a')
    c.t += 9_999
    expect(slow.isSlow('a')).toBe(true)
    slow.answered('a')
    expect(slow.isSlow('a')).toBe(false)
  })

  it('forgets a failure after ttlMs', () => {
    const c = clock()
    const slow = new SlowPeers({ ttlMs: 10_000, max: 10, clock: c })
    slow.failed('a')
    c.t += 10_001
    expect(slow.isSlow('a')).toBe(false)
  })

  it('remembers at most max peers, the latest marked', () => {
    const slow = new SlowPeers({ ttlMs: 10_000, max: 2, clock: clock() })
    for (const p of ['a', 'b', 'c']) slow.failed(p)
    expect(['a', 'b', 'c'].map((p) => slow.isSlow(p))).toEqual([false, true, true])
  })
})
