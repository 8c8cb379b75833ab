/**
 * The outbox's rounds in flight, sans-IO: a round for a user pushes the
 * events due that no earlier round holds, while up to WINDOW − 1 earlier
 * rounds for that user still wait for their acks. With one round at a time,
 * a message sent at 1,000/s waited for the round in flight to be acked
 * before its own push left, and one slow push held every message sent
 * meanwhile (docs/chat.md, "The paced p99, hop by hop").
 *
 * Order is kept by the rounds themselves: each takes the oldest due events
 * not in flight, and the driver starts them one after another, so a device
 * is pushed a user's events in the order they were queued (the pusher keeps
 * that order on the wire, src/chat/push.ts). An event is in at most one
 * round; it leaves its round when the round ends (acked, sealed, or put back
 * for a retry), and only then can a later round take it again.
 */
import { hex } from './kinds.js'
import { BATCH, type DueEvent } from './outbox.js'

/** Rounds in flight for one user at most. */
export const WINDOW = 3
/** Users with a round in flight at most (as many rounds run for them at once as before the window). */
export const USERS_IN_FLIGHT = 4
/**
 * A round joins others in flight only this long after the user's last one started: only a push
 * slower than that has a second one sent behind it. A round's fixed cost (its group commit, a
 * push, the recipient's commit, the acks' statements) is shared by the events it takes: started
 * at every send, rounds of one or two events cost the sender 1,360 µs of CPU a message in
 * bench:chat's throughput phase against 285 with one round at a time, and with 5 ms rounds of
 * 12-20 events it was still 360-550 against 290-380.
 */
export const GAP_MS = 10

interface UserFlights {
  rounds: number
  held: Set<string>
  lastStart: number
}

export class Flights {
  private readonly users = new Map<string, UserFlights>()

  constructor(
    private readonly window = WINDOW,
    private readonly maxUsers = USERS_IN_FLIGHT,
    readonly gapMs = GAP_MS,
  ) {}

  /** Some round is in flight. */
  get busy(): boolean {
    return this.users.size > 0
  }

  /** Whether a round for the user may start now. */
  canStart(user: string, now: number): boolean {
    const f = this.users.get(user)
    if (f === undefined) return this.users.size < this.maxUsers
    return f.rounds < this.window && now >= f.lastStart + this.gapMs
  }

  /**
   * When a round for the user may join those in flight, if it has to wait for the gap;
   * undefined when none is in flight or the gap is over (it may start now), or the window is
   * full (a landing frees it).
   */
  wakeAt(user: string, now: number): number | undefined {
    const f = this.users.get(user)
    if (f === undefined || f.rounds >= this.window) return undefined
    const at = f.lastStart + this.gapMs
    return at > now ? at : undefined
  }

  /** How many of the user's events rounds in flight hold: the driver reads that many more due ones. */
  held(user: string): number {
    return this.users.get(user)?.held.size ?? 0
  }

  /**
   * A round for the user, from its due events (oldest first): the first `max` that no round in
   * flight holds, now held by this one; [] (and no round) when there are none or no room.
   */
  start(user: string, due: DueEvent[], now: number, max: number = BATCH): DueEvent[] {
    if (!this.canStart(user, now)) return []
    const f = this.users.get(user) ?? { rounds: 0, held: new Set<string>(), lastStart: now }
    const fresh = due.filter((e) => !f.held.has(hex(e.id))).slice(0, max)
    if (fresh.length === 0) return []
    f.rounds++
    f.lastStart = now
    for (const e of fresh) f.held.add(hex(e.id))
    this.users.set(user, f)
    return fresh
  }

  /** A round ended: its events are free for later rounds (those still queued). */
  land(user: string, events: readonly DueEvent[]): void {
    const f = this.users.get(user)
    if (f === undefined) return
    for (const e of events) f.held.delete(hex(e.id))
    if (--f.rounds <= 0) this.users.delete(user)
  }

  /** Rounds in flight for the user. */
  rounds(user: string): number {
    return this.users.get(user)?.rounds ?? 0
  }
}
