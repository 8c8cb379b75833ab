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

describe('SlowPeers: a peer that failed in a row is only probed', () => {
  it('lets any number of requests out to a peer that failed fewer than openAfter times in a row', () => {
    const slow = new SlowPeers({ ttlMs: 10_000, max: 10, clock: clock(), openAfter: 3 })
    slow.failed('a')
    slow.failed('a')
    expect([slow.begin('a'), slow.begin('a'), slow.begin('a')]).toEqual([true, true, true])
  })

  it('lets one request out at a time once it failed openAfter times in a row, until it answers', () => {
    const slow = new SlowPeers({ ttlMs: 10_000, max: 10, clock: clock(), openAfter: 3 })
    for (let i = 0; i < 3; i++) slow.failed('a')
    expect(slow.isOpen('a')).toBe(true)
    expect(slow.begin('a')).toBe(true)
    expect(slow.begin('a')).toBe(false)
    expect(slow.begin('b')).toBe(true)
    slow.end('a')
    expect(slow.begin('a')).toBe(true)
    slow.answered('a')
    expect(slow.isOpen('a')).toBe(false)
    expect(slow.begin('a')).toBe(true)
  })

  it('closes when the failures are forgotten (ttlMs without a new one)', () => {
    const c = clock()
    const slow = new SlowPeers({ ttlMs: 10_000, max: 10, clock: c, openAfter: 3 })
    for (let i = 0; i < 3; i++) slow.failed('a')
    expect(slow.begin('a')).toBe(true)
    c.t += 10_001
    expect(slow.begin('a')).toBe(true)
  })

  it('counts requests out per peer: end() after every begin() leaves none', () => {
    const slow = new SlowPeers({ ttlMs: 10_000, max: 10, clock: clock(), openAfter: 1 })
    slow.failed('a')
    expect(slow.begin('a')).toBe(true)
    slow.end('a')
    slow.end('a')
    expect(slow.begin('a')).toBe(true)
    expect(slow.begin('a')).toBe(false)
  })
})
