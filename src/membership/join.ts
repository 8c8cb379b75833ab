import { JOIN_BACKOFF_MAX_INTERVALS } from './constants.js'

/**
 * Joining: sync with one seed after another until one answers. A timeout backs
 * off exponentially with jitter (rule 3: a mass restart must not storm the
 * seeds); a dial failure moves on to the next seed at once, but only once per
 * seed in a row, so unreachable seeds cannot make a tight loop either.
 */
export class JoinState {
  done = false
  /** When to try the next seed if the current one has not answered. */
  at: number | undefined
  private pending: string | undefined
  private attempt = 0
  private quickRetries = 0
  private index = 0

  constructor(
    readonly seeds: readonly string[],
    private readonly baseMs: number,
    private readonly random: () => number,
  ) {}

  /** The seed to sync with now, or undefined when there is none or we are done. */
  next(now: number): string | undefined {
    const seed = this.seeds[this.index++ % Math.max(1, this.seeds.length)]
    if (this.done || seed === undefined) {
      this.at = undefined
      return undefined
    }
    const factor = Math.min(JOIN_BACKOFF_MAX_INTERVALS, 2 ** this.attempt)
    this.at = now + this.baseMs * Math.max(1, this.random() * factor)
    this.attempt++
    this.pending = seed
    return seed
  }

  dueAt(now: number): boolean {
    return this.at !== undefined && this.at <= now
  }

  /** A sync reply came: we know the membership. */
  synced(): void {
    this.done = true
    this.at = undefined
    this.pending = undefined
    this.attempt = 0
    this.quickRetries = 0
  }

  /** The adapter could not reach peerId; true when the next seed should be tried right away. */
  failed(peerId: string, _now: number): boolean {
    if (this.done || peerId !== this.pending) return false
    this.pending = undefined
    if (this.quickRetries >= this.seeds.length - 1) {
      this.quickRetries = 0
      return false
    }
    this.quickRetries++
    return true
  }

  /** We lost every member: join again, from a fresh backoff. */
  restart(now: number): void {
    this.done = false
    this.attempt = 0
    this.at = now
  }
}
