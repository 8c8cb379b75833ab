/**
 * When a supernode is overloaded, and which work it sheds: the December 2010
 * rule that an overloaded supernode degrades and does not quit (Skype's
 * switched their role off, and the cascade took the network down).
 *
 * Overload begins when the event loop's delay p99 over the last second is
 * above `delayP99Ms` while the loop's thread asked for the CPU at least
 * `minCpuDemand` of that second (running, or runnable and waiting for a
 * core), or when a queue is past its cap. It clears once every measure
 * has stayed below `clearFraction` of its threshold for `clearForMs`; between
 * the two thresholds it holds (hysteresis, so a supernode at the edge does
 * not flap).
 *
 * Why the demand: a late event loop in a process that hardly asks for the
 * CPU was held up by something else: the host stopped or descheduled it
 * (a noisy neighbour, a paused VM, twenty supernodes of a test network on
 * two cores that each do a little). Shedding its work would not give the
 * host back, and on a shared host every supernode would shed at once: the
 * cascade this module exists to prevent. A supernode overloaded by its own
 * work asks for the CPU all the time, whether or not it gets it.
 *
 * While overloaded it sheds whole classes of work, the least valuable first,
 * one more class each `escalateEveryMs` that the overload persists:
 *   1. new attachments (they can go to another supernode: "busy, try these");
 *   2. lookups for others (a supernode asking this one as a replica);
 *   3. offline writes (deposits and replica stores; the depositor retries);
 *   4. its own attached devices' requests, last.
 * Membership is never shed: a supernode that stops answering probes is
 * declared dead, and its devices all move at once.
 *
 * Sans-IO: samples and `now` go in (overload-monitor.ts feeds it on a real
 * event loop; the drill's simulator feeds it in virtual time).
 */

/** Work a supernode does, in the order it is shed: the first is shed first; membership never. */
export const SHED_ORDER = ['new-attachments', 'lookups-for-others', 'offline-writes', 'own-devices'] as const
export type WorkClass = (typeof SHED_ORDER)[number] | 'membership'

export interface OverloadOptions {
  /** Event-loop delay p99 (over the last second) past which the supernode is overloaded, default 50 ms. */
  delayP99Ms?: number
  /** … counted only while the loop's thread asked for the CPU this share of the time, default 0.25. */
  minCpuDemand?: number
  /** Overload clears when every measure is below this fraction of its threshold, default 0.6. */
  clearFraction?: number
  /** … for this long without a break, default 5 s. */
  clearForMs?: number
  /** While still past a threshold, one more class is shed this often, default 1 s. */
  escalateEveryMs?: number
}

export interface QueueSample {
  name: string
  depth: number
  cap: number
}

export interface LoadSample {
  /** The event loop's delay p99 over the last second, in ms. */
  delayP99Ms: number
  /**
   * The share of the same second the loop's thread was running or waiting to run (0–1); unknown: 1.
   */
  cpuDemand?: number
  queues: readonly QueueSample[]
}

export interface OverloadState {
  overloaded: boolean
  /** Classes shed: 0 none … 4 all but membership. */
  level: number
  /** Why it is overloaded (the first measure past its threshold), while it is. */
  reason: string | undefined
  /** When the current overload began. */
  since: number | undefined
}

const DEFAULTS = {
  delayP99Ms: 50,
  minCpuDemand: 0.25,
  clearFraction: 0.6,
  clearForMs: 5_000,
  escalateEveryMs: 1_000,
}

export class Overload {
  private readonly opts: Required<OverloadOptions>
  private level = 0
  private reason: string | undefined
  private since: number | undefined
  /** Since when every measure has been below the clear threshold (while overloaded). */
  private calmSince: number | undefined
  private lastEscalation = 0

  constructor(opts: OverloadOptions = {}) {
    this.opts = { ...DEFAULTS, ...opts }
    for (const [name, v] of Object.entries(this.opts)) {
      if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number`)
    }
    if (this.opts.clearFraction >= 1) throw new RangeError('clearFraction must be below 1')
  }

  /** One measurement, about once a second. */
  observe(sample: LoadSample, now: number): void {
    // No measurement (a sampler not started yet): no information either way.
    if (Number.isNaN(sample.delayP99Ms)) return
    const over = this.pastThreshold(sample, 1, false)
    if (over !== undefined) {
      this.calmSince = undefined
      if (this.level === 0) {
        this.level = 1
        this.since = now
        this.lastEscalation = now
        this.reason = over
      } else if (now - this.lastEscalation >= this.opts.escalateEveryMs && this.level < SHED_ORDER.length) {
        this.level++
        this.lastEscalation = now
        this.reason = over
      }
      return
    }
    if (this.level === 0) return
    if (this.pastThreshold(sample, this.opts.clearFraction, true) !== undefined) {
      // Between the thresholds: hold what is shed, and do not count towards clearing.
      this.calmSince = undefined
      this.lastEscalation = now
      return
    }
    this.calmSince ??= now
    if (now - this.calmSince >= this.opts.clearForMs) {
      this.level = 0
      this.reason = undefined
      this.since = undefined
      this.calmSince = undefined
    }
  }

  /** Whether work of this class is taken now; membership always is. */
  admits(work: WorkClass): boolean {
    if (work === 'membership') return true
    return SHED_ORDER.indexOf(work) >= this.level
  }

  state(): OverloadState {
    return { overloaded: this.level > 0, level: this.level, reason: this.reason, since: this.since }
  }

  /**
   * The first measure past `fraction` of its threshold (or at it, when `atCounts`: "below 60%" is what
   * clears), named for the logs; undefined when none is.
   */
  private pastThreshold(sample: LoadSample, fraction: number, atCounts: boolean): string | undefined {
    const past = (value: number, limit: number): boolean => value > limit || (atCounts && value === limit)
    for (const q of sample.queues) {
      if (q.cap > 0 && past(q.depth, q.cap * fraction)) return `queue ${q.name} at ${q.depth} of ${q.cap}`
    }
    const demand = sample.cpuDemand ?? 1
    // Both past their fraction: a late loop in a process that hardly asked for the CPU is the host's doing.
    if (
      past(sample.delayP99Ms, this.opts.delayP99Ms * fraction) &&
      past(demand, this.opts.minCpuDemand * fraction)
    ) {
      const delay = Math.round(sample.delayP99Ms)
      return `event-loop delay p99 ${delay} ms, CPU asked ${Math.round(demand * 100)}% of the time`
    }
    return undefined
  }
}
