/**
 * Live events (presence, typing, call signals) in virtual time (issue 10, L1):
 * only fresh ones are admitted, each once, and the memory of them is bounded.
 */
import { describe, expect, it } from 'vitest'
import { ChatKind } from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import { fresh, LIVE_WINDOW_MS, LiveReplays } from './live.js'
import { refusalOf } from './refusals.js'

const T = Date.UTC(2026, 11, 6)
const id = (n: number) => new Uint8Array(16).fill(n % 256).map((b, i) => (i === 0 ? n >> 8 : b))

describe('freshness', () => {
  it('admits a live event within the window either way, and refuses one past it', () => {
    expect(fresh(T, T)).toBe(true)
    expect(fresh(T - LIVE_WINDOW_MS, T)).toBe(true)
    expect(fresh(T + LIVE_WINDOW_MS, T)).toBe(true)
    expect(fresh(T - LIVE_WINDOW_MS - 1, T)).toBe(false)
    expect(fresh(T + 365 * 86_400_000, T)).toBe(false)
  })

  it('applies to presence, typing and call signals only: a stored event may be old', () => {
    const year = 365 * 86_400_000
    for (const kind of [ChatKind.PRESENCE, ChatKind.TYPING, ChatKind.CALL_SIGNAL])
      expect(refusalOf({ kind, lamport: 1, sentAt: T + year }, T)).toBe(ErrorCode.StaleEvent)
    expect(refusalOf({ kind: ChatKind.TEXT, lamport: 1, sentAt: T - year }, T)).toBeUndefined()
  })
})

describe('replays', () => {
  it('refuses an id seen while it could still be fresh, and forgets it after', () => {
    const seen = new LiveReplays()
    expect(seen.check(id(1), T, T)).toBeUndefined()
    expect(seen.check(id(1), T, T + 1000)).toBe(ErrorCode.ReplayedEvent)
    expect(seen.check(id(2), T, T + 1000)).toBeUndefined()
    // Past the window the event is stale anyway (refusalOf); its id is no longer kept.
    expect(seen.check(id(1), T, T + LIVE_WINDOW_MS + 1)).toBeUndefined()
  })

  it('keeps at most 8,192 ids however many arrive', () => {
    const seen = new LiveReplays()
    for (let n = 0; n < 20_000; n++) seen.check(id(n), T, T)
    expect(seen.size).toBeLessThanOrEqual(8192)
  })
})
