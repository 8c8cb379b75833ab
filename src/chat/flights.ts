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

interface UserFlights {
  rounds: number
  held: Set<string>
}

export class Flights {
  private readonly users = new Map<string, UserFlights>()

  constructor(
    private readonly window = WINDOW,
    private readonly maxUsers = USERS_IN_FLIGHT,
  ) {}

  /** Whether a round for the user may start now. */
  canStart(user: string): boolean {
    const f = this.users.get(user)
    return f === undefined ? this.users.size < this.maxUsers : f.rounds < this.window
  }

  /** How many of the user's events rounds in flight hold: the driver reads that many more due ones. */
  held(user: string): number {
    return this.users.get(user)?.held.size ?? 0
  }

  /**
   * A round for the user, from its due events (oldest first): the first `max` that no round in
   * flight holds, now held by this one; [] (and no round) when there are none or no room.
   */
  start(user: string, due: DueEvent[], max = BATCH): DueEvent[] {
    if (!this.canStart(user)) return []
    const f = this.users.get(user) ?? { rounds: 0, held: new Set<string>() }
    const fresh = due.filter((e) => !f.held.has(hex(e.id))).slice(0, max)
    if (fresh.length === 0) return []
    f.rounds++
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
