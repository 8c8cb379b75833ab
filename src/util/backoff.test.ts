import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { backoffWindow, checkBackoffPolicy, fullJitter } from './backoff.js'
import { InvalidOptionError } from './errors.js'

const policy = { baseMs: 1000, capMs: 60_000 }
/** Doubles in [0, 1), the whole range including its last double. */
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })
const policies = fc
  .tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 10_000_000 }))
  .map(([baseMs, extra]) => ({ baseMs, capMs: baseMs + extra }))

describe('fullJitter', () => {
  it('attempt 0 draws from [0, base)', () => {
    expect(fullJitter(0, policy, 0)).toBe(0)
    expect(fullJitter(0, policy, 0.5)).toBe(500)
    expect(fullJitter(0, policy, 0.999_999)).toBe(999)
  })

  it('doubles the window per attempt until the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 50, 5000].map((a) => backoffWindow(a, policy))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000,
    ])
  })

  it('is always a whole number of ms in [0, min(cap, base·2^attempt)) (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), policies, unit, (attempt, p, r) => {
        const delay = fullJitter(attempt, p, r)
        const window = Math.min(p.capMs, p.baseMs * 2 ** Math.min(attempt, 62))
        expect(Number.isInteger(delay)).toBe(true)
        expect(delay).toBeGreaterThanOrEqual(0)
        if (window > 0) expect(delay).toBeLessThan(window)
        else expect(delay).toBe(0)
        expect(delay).toBeLessThan(Math.max(p.capMs, 1))
      }),
      { numRuns: 5000 },
    )
  })

  it('is monotonic in random: a larger draw never waits less (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), policies, unit, unit, (attempt, p, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a]
        expect(fullJitter(attempt, p, lo)).toBeLessThanOrEqual(fullJitter(attempt, p, hi))
      }),
    )
  })

  it('is uniform over its window: 20 equal buckets of 100,000 draws stay within 5% of the mean', () => {
    // A seeded generator, so the test cannot flake: mulberry32.
    let seed = 42
    const next = (): number => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
    }
    const buckets = new Array<number>(20).fill(0)
    const draws = 100_000
    let sum = 0
    for (let i = 0; i < draws; i++) {
      const delay = fullJitter(3, policy, next()) // window 8000 ms
      sum += delay
      buckets[Math.floor(delay / 400)]! += 1
    }
    for (const count of buckets) expect(Math.abs(count - draws / 20)).toBeLessThan((draws / 20) * 0.05)
    expect(sum / draws).toBeCloseTo(4000, -2) // the mean is half the window
  })

  it('respects the cap however many attempts', () => {
    for (const attempt of [6, 7, 30, 62, 63, 1e6, Number.MAX_SAFE_INTEGER, Infinity]) {
      expect(fullJitter(attempt, policy, 0.999_999_999)).toBeLessThan(60_000)
    }
  })

  it('turns garbage into a number, never NaN and never a throw', () => {
    for (const [attempt, r] of [
      [NaN, 0.5],
      [-3, 0.5],
      [2.7, 0.5],
      [0, NaN],
      [0, -1],
      [0, 1],
      [0, 7],
      [0, Infinity],
    ] as const) {
      const delay = fullJitter(attempt, policy, r)
      expect(delay).toBeGreaterThanOrEqual(0)
      expect(delay).toBeLessThan(policy.capMs)
    }
    expect(fullJitter(0, policy, 1)).toBe(999) // r = 1 is out of contract: the window's last ms
    expect(fullJitter(2.7, policy, 0.5)).toBe(2000) // attempts are whole: 2.7 is 2
    expect(fullJitter(5, { baseMs: 0, capMs: 0 }, 0.5)).toBe(0)
    expect(fullJitter(5, { baseMs: NaN, capMs: 1000 }, 0.5)).toBe(0)
    expect(fullJitter(5000, { baseMs: 0, capMs: 1000 }, 0.5)).toBe(0) // 0·2^n, never NaN
  })
})

describe('checkBackoffPolicy', () => {
  it('accepts 0 <= base <= cap', () => {
    expect(checkBackoffPolicy({ baseMs: 0, capMs: 0 })).toEqual({ baseMs: 0, capMs: 0 })
    expect(checkBackoffPolicy(policy)).toEqual(policy)
  })

  it.each([
    { baseMs: -1, capMs: 10 },
    { baseMs: 10, capMs: 5 },
    { baseMs: NaN, capMs: 10 },
    { baseMs: 1, capMs: Infinity },
  ])('refuses %j', (p) => {
    expect(() => checkBackoffPolicy(p)).toThrow(InvalidOptionError)
  })
})
