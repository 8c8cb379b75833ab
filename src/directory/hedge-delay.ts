/**
 * How long a lookup waits on its first choice before it asks the next too (a
 * device's on its supernodes, a supernode's on a username's replicas): the
 * 95th percentile of the recent answer times, within [minMs, maxMs]. A hedge sent after the time most answers take costs
 * about one request in twenty and cuts the tail that a slow or frozen first
 * choice causes ("The Tail at Scale", Dean and Barroso, 2013); a fixed 150 ms
 * made every lookup whose first supernode had just frozen take 150 ms more,
 * while answers took 10 ms. On a loaded network the answers slow down, the
 * percentile rises with them, and the hedges do not multiply the load: maxMs
 * bounds the wait, never the other way. Sans-IO: the caller measures.
 */
export interface HedgeDelayInit {
  /** Never hedge sooner than this. Default 20 ms. */
  minMs?: number
  /** Never wait longer than this. Default 150 ms. */
  maxMs?: number
  /** Answers remembered (a ring). Default 64. */
  window?: number
  /** Answers needed before the percentile is trusted. Default 16. */
  warmup?: number
  /** The delay until `warmup` answers were seen. Default maxMs. */
  coldMs?: number
}

export const HEDGE_DEFAULTS = { minMs: 20, maxMs: 150, window: 64, warmup: 16 } as const

export class HedgeDelay {
  private readonly minMs: number
  private readonly maxMs: number
  private readonly warmup: number
  private readonly coldMs: number
  private readonly ring: number[]
  private next = 0
  private filled = 0
  private cached: number | undefined

  constructor(init: HedgeDelayInit = {}) {
    this.minMs = init.minMs ?? HEDGE_DEFAULTS.minMs
    this.maxMs = init.maxMs ?? HEDGE_DEFAULTS.maxMs
    this.warmup = init.warmup ?? HEDGE_DEFAULTS.warmup
    this.coldMs = init.coldMs ?? this.maxMs
    const window = init.window ?? HEDGE_DEFAULTS.window
    if (!(this.minMs >= 0 && this.maxMs >= this.minMs && Number.isInteger(window) && window >= 1))
      throw new RangeError(`hedge delay needs 0 ≤ minMs ≤ maxMs and a window ≥ 1`)
    this.ring = new Array<number>(window).fill(0)
  }

  /** One answer (found, nobody, or an error the peer sent) took this long. */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return
    this.ring[this.next] = ms
    this.next = (this.next + 1) % this.ring.length
    this.filled = Math.min(this.filled + 1, this.ring.length)
    this.cached = undefined
  }

  /** The wait before the next supernode is asked too. */
  delayMs(): number {
    if (this.filled < Math.min(this.warmup, this.ring.length)) return this.coldMs
    if (this.cached === undefined) {
      // A typed array sorts numerically without a comparator call per comparison (asked on every lookup).
      const sorted = Float64Array.from(this.ring.slice(0, this.filled)).sort()
      const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? this.maxMs
      this.cached = Math.min(this.maxMs, Math.max(this.minMs, Math.ceil(p95)))
    }
    return this.cached
  }
}
