import { describe, expect, it } from 'vitest'
import { HedgeDelay } from './hedge-delay.js'

describe('HedgeDelay', () => {
  it('waits the full 150 ms until it has seen enough answers', () => {
    const h = new HedgeDelay()
    for (let i = 0; i < 15; i++) h.record(5)
    expect(h.delayMs()).toBe(150)
    h.record(5)
    expect(h.delayMs()).toBe(20) // the floor: 5 ms answers do not make 5 ms hedges
  })

  it('hedges after the 95th percentile of recent answers: a few slow ones do not move it', () => {
    const h = new HedgeDelay()
    for (let i = 0; i < 61; i++) h.record(30 + (i % 10))
    for (let i = 0; i < 3; i++) h.record(900) // a frozen supernode's late answers
    expect(h.delayMs()).toBe(39)
  })

  it('rises with a loaded network, up to 150 ms, and comes back down as answers speed up', () => {
    const h = new HedgeDelay()
    for (let i = 0; i < 64; i++) h.record(400)
    expect(h.delayMs()).toBe(150)
    for (let i = 0; i < 64; i++) h.record(12)
    expect(h.delayMs()).toBe(20)
  })

  it('ignores times that are not durations', () => {
    const h = new HedgeDelay({ warmup: 1 })
    h.record(Number.NaN)
    h.record(-3)
    h.record(Number.POSITIVE_INFINITY)
    expect(h.delayMs()).toBe(150)
    h.record(50)
    expect(h.delayMs()).toBe(50)
  })

  it('refuses bounds that cannot hold', () => {
    expect(() => new HedgeDelay({ minMs: 200, maxMs: 100 })).toThrow(RangeError)
    expect(() => new HedgeDelay({ window: 0 })).toThrow(RangeError)
  })
})

describe('HedgeDelay before it has seen enough answers', () => {
  it('waits coldMs when given (a supernode starts at its old fixed 25 ms), maxMs otherwise', () => {
    expect(new HedgeDelay({ minMs: 25, maxMs: 100, coldMs: 25 }).delayMs()).toBe(25)
    expect(new HedgeDelay({ minMs: 25, maxMs: 100 }).delayMs()).toBe(100)
  })

  it('leaves coldMs for the percentile once warm: slow answers raise the delay to maxMs', () => {
    const h = new HedgeDelay({ minMs: 25, maxMs: 100, coldMs: 25, warmup: 4 })
    for (let i = 0; i < 4; i++) h.record(400)
    expect(h.delayMs()).toBe(100)
  })
})
