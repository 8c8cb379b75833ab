/**
 * The Lamport clock of a device's chat store, and the rule that keeps anyone
 * from poisoning it (issue 10, H1): one event at 2^53−1 used to push the
 * clock to where every later event of ours failed to encode, for good.
 *
 * Why a ceiling tied to the wall clock rather than a bound on each jump: a
 * per-event bound (say 2^32) can be climbed by a contact in 2^21 steps, and it
 * says nothing at start about whether a stored value is sound. A ceiling of
 * 1,024 per millisecond since the epoch is about 1.8e15 in 2026, millions of
 * times what any honest device counts (one per event), grows faster than any
 * device can tick, and stays below 2^53 until the year 2248. So no number of
 * hostile events can exhaust the clock, and a stored value above it can only
 * be poison, which start repairs.
 *
 * Two levels: what we observe moves our clock at most to our own ceiling;
 * what we accept may be a day of wall-clock skew above it. A device pushed to
 * its ceiling by a hostile contact therefore still has every event accepted by
 * peers whose clocks are less than a day behind. Pure: `now` is passed in.
 */

/** Lamport values the ceiling grows by per millisecond of wall-clock time. */
export const LAMPORT_PER_MS = 1024
/** Wall-clock skew between devices that an accepted Lamport time tolerates. */
export const LAMPORT_SKEW_MS = 24 * 3_600_000

/** The highest value what we observe at `now` may move our clock to. */
export function observeCeiling(now: number): number {
  return Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.floor(now)) * LAMPORT_PER_MS)
}

/** The highest Lamport time an incoming event may carry at `now`: the ceiling of a device a day ahead of us. */
export function acceptCeiling(now: number): number {
  return observeCeiling(now + LAMPORT_SKEW_MS)
}

export function lamportAcceptable(lamport: number, now: number): boolean {
  return Number.isSafeInteger(lamport) && lamport >= 0 && lamport <= acceptCeiling(now)
}

/** Our clock after seeing an accepted `lamport` at `now`: forward, at most to the observe ceiling. */
export function observed(clock: number, lamport: number, now: number): number {
  return Math.max(clock, Math.min(lamport, observeCeiling(now)))
}

/** The time of our next event: one more, saturating at 2^53−1 so that signing never fails on it. */
export function nextTick(clock: number): number {
  return clock >= Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : clock + 1
}

/**
 * The value a stored clock must be repaired to at `now`, or undefined when it
 * is sound. Only a clock that no peer would accept is poison (an older version
 * observed anything); it goes back to `highestSound`, the highest Lamport time
 * of a stored message within the observe ceiling, so our next events still
 * sort after everything we hold.
 */
export function repairTarget(clock: number, now: number, highestSound: number): number | undefined {
  if (lamportAcceptable(clock, now)) return undefined
  return Math.max(0, Math.min(highestSound, observeCeiling(now)))
}

/** What the clock keeps its value in: the store's meta table and its messages. */
export interface ClockStore {
  getMeta(key: string): string | undefined
  setMeta(key: string, value: string): void
  /** The highest Lamport time of a stored message at or below `atMost` (in `conversation` when given); 0 if none. */
  highestLamport(atMost: number, conversation?: string): number
}

const KEY = 'lamport'

/** The clock as the store keeps it (a method is one statement; callers hold the transaction). */
export class LamportClock {
  constructor(private readonly store: ClockStore) {}

  /** Inside `once`: the value observed and not written yet. */
  private unwritten: number | undefined
  private deferring = false

  /** A stored value that is no clock at all reads as saturated (still signable); start repairs it. */
  value(): number {
    if (this.unwritten !== undefined) return this.unwritten
    const v = Number(this.store.getMeta(KEY) ?? '0')
    return Number.isSafeInteger(v) && v >= 0 ? v : Number.MAX_SAFE_INTEGER
  }

  /** Call only for accepted events from our own devices and people we accepted or asked. */
  observe(lamport: number, now: number): void {
    const clock = this.value()
    const next = observed(clock, lamport, now)
    if (next === clock) return
    if (this.deferring) this.unwritten = next
    else this.store.setMeta(KEY, String(next))
  }

  tick(): number {
    const next = nextTick(this.value())
    this.unwritten = undefined
    this.store.setMeta(KEY, String(next))
    return next
  }

  /**
   * Runs `fn` (inside the caller's transaction) with what it observes
   * written once, when it returns, instead of once per event: a push of
   * 20 events moved the clock 20 times (issue 12 §2). If `fn` throws,
   * nothing is written; the caller's transaction rolls back anyway.
   */
  once<T>(fn: () => T): T {
    if (this.deferring) return fn()
    this.deferring = true
    try {
      const out = fn()
      if (this.unwritten !== undefined) this.store.setMeta(KEY, String(this.unwritten))
      return out
    } finally {
      this.deferring = false
      this.unwritten = undefined
    }
  }

  /** Repairs a poisoned clock; what it was and what it is now, or undefined when it was sound. */
  repair(now: number): { from: string; to: number } | undefined {
    const raw = this.store.getMeta(KEY) ?? '0'
    const to = repairTarget(Number(raw), now, this.store.highestLamport(observeCeiling(now)))
    if (to === undefined) return undefined
    this.store.setMeta(KEY, String(to))
    return { from: raw, to }
  }
}
