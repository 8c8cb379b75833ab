/**
 * Load shedding for the offline store (the December 2010 lesson: the
 * offline-message servers answered late, and the late answers took the
 * network down). A bounded number of requests is in progress at once; past
 * it, a request is answered busy at once with a time to retry, never queued.
 * Replica work (store, take, drop from other supernodes) has some headroom
 * beyond the device limit: it is what other supernodes' deposits and fetches
 * wait on, so devices are shed first. Sans-IO.
 */
import { InvalidOptionError } from '../util/errors.js'

export type Lane = 'device' | 'replica'

export interface ShedderOptions {
  /** Device requests in progress at once, default 64. */
  limit?: number
  /** Extra room replica requests have beyond the limit, default limit / 2. */
  replicaHeadroom?: number
  /** The retry-after a busy answer carries, before jitter, default 1000 ms. */
  retryAfterMs?: number
}

export class Shedder {
  readonly limit: number
  readonly replicaHeadroom: number
  readonly retryAfterMs: number
  private inFlight = 0
  private shedCount = 0

  constructor(opts: ShedderOptions = {}) {
    this.limit = opts.limit ?? 64
    this.replicaHeadroom = opts.replicaHeadroom ?? Math.floor(this.limit / 2)
    this.retryAfterMs = opts.retryAfterMs ?? 1_000
    for (const [name, v] of Object.entries({ limit: this.limit, replicaHeadroom: this.replicaHeadroom })) {
      if (!Number.isSafeInteger(v) || v < 0) throw new InvalidOptionError(`${name} must be an integer >= 0`)
    }
  }

  /** True when the request may run; the caller must then call leave() exactly once. */
  tryEnter(lane: Lane): boolean {
    const cap = lane === 'device' ? this.limit : this.limit + this.replicaHeadroom
    if (this.inFlight >= cap) {
      this.shedCount++
      return false
    }
    this.inFlight++
    return true
  }

  leave(): void {
    if (this.inFlight > 0) this.inFlight--
  }

  /** A retry-after spread over [base, 2 × base), `random` in [0, 1), so shed clients do not return together. */
  retryAfter(random: number): number {
    return Math.round(this.retryAfterMs * (1 + Math.min(Math.max(random, 0), 0.999)))
  }

  get inProgress(): number {
    return this.inFlight
  }

  get shed(): number {
    return this.shedCount
  }
}
