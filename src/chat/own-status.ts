/**
 * The user's own status, sans-IO: the status they chose, and the away that
 * idling turns it into by itself. `now` goes in; the caller says when the
 * user did something and runs `tick` when `nextTick` says, and tells the
 * user's clients and contacts whenever a call returns true. The device runs
 * it on the wall clock (service.ts), the tests and the simulator on theirs.
 */
export type UserStatus = 'online' | 'away' | 'dnd' | 'invisible'

export interface OwnStatusInit {
  /** Idle time before online turns into away; 0 turns it off. */
  awayAfterMs: number
  /** The status the user chose (kept in the store, so it outlives a restart). */
  chosen: () => UserStatus
}

export class OwnStatus {
  private lastActive: number
  private autoAway = false

  constructor(
    private readonly init: OwnStatusInit,
    now: number,
  ) {
    this.lastActive = now
  }

  /** What contacts and the user's clients see. */
  status(): UserStatus {
    const chosen = this.init.chosen()
    return chosen === 'online' && this.autoAway ? 'away' : chosen
  }

  /** The user did something. True when that brought them back from away. */
  active(now: number): boolean {
    this.lastActive = Math.max(this.lastActive, now)
    if (!this.autoAway) return false
    this.autoAway = false
    return true
  }

  /** The user chose a status (already stored): idling counts from now. */
  chose(now: number): void {
    this.autoAway = false
    this.lastActive = Math.max(this.lastActive, now)
  }

  /** True when idling just turned online into away. */
  tick(now: number): boolean {
    if (this.autoAway || this.init.awayAfterMs <= 0 || this.init.chosen() !== 'online') return false
    if (now - this.lastActive < this.init.awayAfterMs) return false
    this.autoAway = true
    return true
  }

  /** When `tick` may next change something; undefined while only the user can. */
  nextTick(): number | undefined {
    if (this.autoAway || this.init.awayAfterMs <= 0) return undefined
    return this.lastActive + this.init.awayAfterMs
  }
}
