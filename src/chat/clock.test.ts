/**
 * The Lamport clock's rule in virtual time (issue 10, H1): ceilings move with
 * the `now` we pass, ticks saturate, a poisoned stored value is repaired, and
 * a poisoned event is refused with a stable code.
 */
import { describe, expect, it } from 'vitest'
import { ChatKind } from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import {
  acceptCeiling,
  LAMPORT_PER_MS,
  LAMPORT_SKEW_MS,
  LamportClock,
  lamportAcceptable,
  nextTick,
  observeCeiling,
  observed,
  repairTarget,
  type ClockStore,
} from './clock.js'
import { refusalOf } from './refusals.js'

const MAX = Number.MAX_SAFE_INTEGER
/** 2026-12-06, in ms: virtual time, never the machine's. */
const T = Date.UTC(2026, 11, 6)

function memoryStore(messages: number[] = []): ClockStore & { meta: Map<string, string> } {
  const meta = new Map<string, string>()
  return {
    meta,
    getMeta: (k) => meta.get(k),
    setMeta: (k, v) => void meta.set(k, v),
    highestLamport: (atMost) => Math.max(0, ...messages.filter((l) => l <= atMost)),
  }
}

describe('ceilings', () => {
  it('grow 1,024 per ms of the given time and leave 2^53 far away until the 23rd century', () => {
    expect(observeCeiling(T)).toBe(T * LAMPORT_PER_MS)
    expect(observeCeiling(T + 1) - observeCeiling(T)).toBe(LAMPORT_PER_MS)
    expect(acceptCeiling(T)).toBe((T + LAMPORT_SKEW_MS) * LAMPORT_PER_MS)
    expect(observeCeiling(T)).toBeLessThan(MAX / 4)
    expect(observeCeiling(Date.UTC(2247, 0, 1))).toBeLessThan(MAX)
    expect(observeCeiling(Date.UTC(2300, 0, 1))).toBe(MAX)
  })

  it('accept the ceiling, refuse one above it, 2^53−1, negatives and fractions', () => {
    expect(lamportAcceptable(acceptCeiling(T), T)).toBe(true)
    expect(lamportAcceptable(acceptCeiling(T) + 1, T)).toBe(false)
    expect(lamportAcceptable(MAX, T)).toBe(false)
    expect(lamportAcceptable(-1, T)).toBe(false)
    expect(lamportAcceptable(1.5, T)).toBe(false)
    // The same value is accepted a day later: the ceiling moved on.
    expect(lamportAcceptable(acceptCeiling(T) + 1, T + 1)).toBe(true)
  })

  it('refuse a poisoned event with a stable code and let an ordinary one through', () => {
    expect(refusalOf({ lamport: MAX, kind: ChatKind.TEXT, sentAt: T }, T)).toBe(ErrorCode.LamportTooFar)
    expect(refusalOf({ lamport: 12, kind: ChatKind.TEXT, sentAt: T }, T)).toBeUndefined()
  })
})

describe('observe and tick', () => {
  it('move forward only, and at most to the observe ceiling', () => {
    expect(observed(10, 5, T)).toBe(10)
    expect(observed(10, 500, T)).toBe(500)
    expect(observed(10, acceptCeiling(T), T)).toBe(observeCeiling(T))
  })

  it('saturate at 2^53−1 instead of passing it', () => {
    expect(nextTick(41)).toBe(42)
    expect(nextTick(MAX - 1)).toBe(MAX)
    expect(nextTick(MAX)).toBe(MAX)
  })

  it('a clock pushed to its ceiling still ticks, and peers a day behind accept its events', () => {
    const clock = new LamportClock(memoryStore())
    clock.observe(acceptCeiling(T), T)
    expect(clock.value()).toBe(observeCeiling(T))
    const next = clock.tick()
    expect(next).toBe(observeCeiling(T) + 1)
    expect(lamportAcceptable(next, T - LAMPORT_SKEW_MS + 1)).toBe(true)
  })

  it('a stored value that is no clock reads as saturated, so a tick still signs', () => {
    const store = memoryStore()
    store.meta.set('lamport', '9007199254740993')
    expect(new LamportClock(store).tick()).toBe(MAX)
    store.meta.set('lamport', 'garbage')
    expect(new LamportClock(store).tick()).toBe(MAX)
  })
})

describe('repair at start', () => {
  it('leaves a sound clock alone', () => {
    expect(repairTarget(1234, T, 1000)).toBeUndefined()
    const store = memoryStore([3, 7])
    store.meta.set('lamport', '9')
    expect(new LamportClock(store).repair(T)).toBeUndefined()
    expect(store.meta.get('lamport')).toBe('9')
  })

  it('takes a poisoned clock back to the highest sound stored message', () => {
    const store = memoryStore([3, 7, 40, MAX])
    store.meta.set('lamport', String(MAX))
    expect(new LamportClock(store).repair(T)).toEqual({ from: String(MAX), to: 40 })
    expect(store.meta.get('lamport')).toBe('40')
    expect(new LamportClock(store).tick()).toBe(41)
  })

  it('repairs values that are not numbers, or are past 2^53', () => {
    expect(repairTarget(Number('x'), T, 5)).toBe(5)
    expect(repairTarget(2 ** 53, T, 0)).toBe(0)
  })
})
