/**
 * Live events (presence, typing, call signals) are never stored, so the
 * store's duplicate check never sees them (issue 10, L1). They are admitted
 * only while fresh, `sentAt` within LIVE_WINDOW_MS of our clock either way,
 * and each id only once while it could still be fresh. Pure: `now` is passed in.
 */
import { ChatKind } from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'

export const LIVE_KINDS = new Set<ChatKind>([ChatKind.PRESENCE, ChatKind.TYPING, ChatKind.CALL_SIGNAL])

/**
 * How far a live event's `sentAt` may be from our clock, either way. A live
 * event is signed just before its push (a lookup and a dial, seconds at
 * worst); the rest is room for devices whose clocks are minutes apart.
 */
export const LIVE_WINDOW_MS = 5 * 60_000
/** Ids remembered at most; past it the oldest go first (an attacker cannot grow our memory). */
const REMEMBERED = 8192

export function fresh(sentAt: number, now: number): boolean {
  return Math.abs(sentAt - now) <= LIVE_WINDOW_MS
}

/** Remembers the live events admitted while they could still be fresh, to refuse their replays. */
export class LiveReplays {
  /** Id (hex) → when it stops being fresh; in insertion order, so the first entry is the oldest. */
  private readonly until = new Map<string, number>()

  /** ErrorCode.ReplayedEvent for an id seen while fresh, else undefined (and it is remembered). */
  check(id: Uint8Array, sentAt: number, now: number): ErrorCode | undefined {
    const key = Buffer.from(id).toString('hex')
    const until = this.until.get(key)
    if (until !== undefined && until >= now) return ErrorCode.ReplayedEvent
    this.forget(now)
    this.until.delete(key)
    this.until.set(key, sentAt + LIVE_WINDOW_MS)
    return undefined
  }

  get size(): number {
    return this.until.size
  }

  private forget(now: number): void {
    for (const [key, until] of this.until) {
      if (until >= now && this.until.size < REMEMBERED) break
      this.until.delete(key)
    }
  }
}
