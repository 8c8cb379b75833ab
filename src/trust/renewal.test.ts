import { describe, expect, it } from 'vitest'
import { renewalTime, RenewalSchedule } from './renewal.js'

const DAY = 24 * 3600_000
const week = { notBefore: 0, notAfter: 7 * DAY }
const halfMinute = { notBefore: 1_000_000, notAfter: 1_030_000 }

describe('RenewalSchedule', () => {
  it('is due at the jittered renewal time the CLI uses, between half and three-quarters of the lifetime', () => {
    for (const jitter of [0, 0.5, 0.999]) {
      const s = new RenewalSchedule(week, jitter, 0)
      expect(s.pollTimeout()).toBe(renewalTime(week, jitter))
      expect(s.pollTimeout()).toBeGreaterThanOrEqual(3.5 * DAY)
      expect(s.pollTimeout()).toBeLessThan(5.25 * DAY)
    }
  })

  it('is due at once when started past the renewal time', () => {
    const now = renewalTime(week, 0.3) + 60_000
    expect(new RenewalSchedule(week, 0.3, now).pollTimeout()).toBe(now)
  })

  it('backs off exponentially with full jitter, capped, and a success starts over', () => {
    const s = new RenewalSchedule(week, 0.5, 0, { baseBackoffMs: 1_000, maxBackoffMs: 8_000 })
    const now = s.pollTimeout()
    const waits = [1, 2, 3, 4, 5, 6].map(() => {
      s.handleFailure(now, 0.999)
      return s.pollTimeout() - now
    })
    expect(waits).toEqual([999, 1998, 3996, 7992, 7992, 7992])
    expect(s.failures).toBe(6)
    s.handleFailure(now, 0)
    expect(s.pollTimeout() - now).toBe(500)

    const next = { notBefore: now, notAfter: now + 7 * DAY }
    s.handleRenewed(next, 0.1, now)
    expect(s.failures).toBe(0)
    expect(s.pollTimeout()).toBe(renewalTime(next, 0.1))
  })

  it('scales its backoff to the lifetime: a 30-second certificate retries within 3 s', () => {
    const s = new RenewalSchedule(halfMinute, 0, halfMinute.notBefore)
    const now = s.pollTimeout()
    for (let i = 0; i < 10; i++) s.handleFailure(now, 0.999)
    expect(s.pollTimeout() - now).toBeLessThanOrEqual(3_000)
    expect(s.pollTimeout()).toBeLessThan(halfMinute.notAfter)
  })

  it('never spins: a certificate whose renewal time has passed is tried again one backoff later', () => {
    const s = new RenewalSchedule(halfMinute, 0, halfMinute.notBefore, { baseBackoffMs: 300 })
    const now = halfMinute.notAfter - 1_000
    s.handleRenewed(halfMinute, 0, now)
    expect(s.pollTimeout()).toBe(now + 300)
  })

  it('refuses a random value outside [0, 1)', () => {
    const s = new RenewalSchedule(week, 0, 0)
    expect(() => s.handleFailure(0, 1)).toThrow(RangeError)
    expect(() => s.handleFailure(0, Number.NaN)).toThrow(RangeError)
  })
})
