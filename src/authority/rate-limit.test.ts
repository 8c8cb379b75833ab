import { describe, expect, it } from 'vitest'
import { parseRate, RateLimiter } from './rate-limit.js'

describe('RateLimiter (virtual time)', () => {
  it('allows a burst, then refuses with the time until the next token', () => {
    const limiter = new RateLimiter({ burst: 3, refillMs: 1000 })
    expect([0, 0, 0].map((t) => limiter.take('u', t).ok)).toEqual([true, true, true])
    expect(limiter.take('u', 0)).toEqual({ ok: false, retryAfterMs: 1000 })
    expect(limiter.take('u', 400)).toEqual({ ok: false, retryAfterMs: 600 })
    expect(limiter.take('u', 1000).ok).toBe(true)
    expect(limiter.take('u', 1000).ok).toBe(false)
  })

  it('keeps keys apart', () => {
    const limiter = new RateLimiter({ burst: 1, refillMs: 1000 })
    expect(limiter.take('a', 0).ok).toBe(true)
    expect(limiter.take('a', 0).ok).toBe(false)
    expect(limiter.take('b', 0).ok).toBe(true)
  })

  it('never holds more than the burst, however long the wait', () => {
    const limiter = new RateLimiter({ burst: 2, refillMs: 10 })
    limiter.take('u', 0)
    const results = [1e9, 1e9, 1e9].map((t) => limiter.take('u', t).ok)
    expect(results).toEqual([true, true, false])
  })

  it('bounds memory by forgetting the least recently used key', () => {
    const limiter = new RateLimiter({ burst: 1, refillMs: 1e9 }, 2)
    limiter.take('a', 0)
    limiter.take('b', 0)
    limiter.take('b', 0) // b is now the most recent, and empty
    limiter.take('c', 0) // the third key evicts a, the least recently used
    expect(limiter.take('b', 0).ok).toBe(false) // b is remembered: still empty
    expect(limiter.take('a', 0).ok).toBe(true) // a was forgotten: full again
  })

  it('takes a refunded token back, never past the burst', () => {
    const limiter = new RateLimiter({ burst: 2, refillMs: 1e9 })
    limiter.take('u', 0)
    limiter.take('u', 0)
    limiter.refund('u', 0)
    expect(limiter.take('u', 0).ok).toBe(true)
    expect(limiter.take('u', 0).ok).toBe(false)
    limiter.refund('v', 0) // an unknown key is full already
    expect([0, 0, 0].map((t) => limiter.take('v', t).ok)).toEqual([true, true, false])
  })

  it('tolerates a clock that goes backwards', () => {
    const limiter = new RateLimiter({ burst: 1, refillMs: 1000 })
    limiter.take('u', 5000)
    expect(limiter.take('u', 0).ok).toBe(false)
  })
})

describe('parseRate', () => {
  it.each([
    ['10/5m', { burst: 10, refillMs: 30_000 }],
    ['3/1h', { burst: 3, refillMs: 1_200_000 }],
    ['5/s', { burst: 5, refillMs: 200 }],
  ])('%s', (text, rate) => expect(parseRate(text)).toEqual(rate))

  it.each(['', '10', '0/1m', '10/5d', 'ten/1m', '-1/1m'])('refuses %j', (text) => {
    expect(() => parseRate(text)).toThrow(/is not a rate like 10\/5m/)
  })
})
