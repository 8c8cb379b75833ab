/**
 * Which peers failed to answer lately: a lookup asks them without waiting
 * on them, and a device asks its other supernode first. A peer is slow from
 * a failed or hedged-past request until it answers anything, or for ttlMs.
 * The clock is injected (lru-cache's `perf`), so tests run in virtual time.
 */
import { LRUCache } from 'lru-cache'

export interface SlowPeersOptions {
  /** How long a peer stays slow without answering. */
  ttlMs: number
  /** Peers remembered at most (the least recently marked go first). */
  max: number
  clock: { now(): number }
}

export class SlowPeers {
  private readonly slow: LRUCache<string, true>

  constructor(opts: SlowPeersOptions) {
    // ttlResolution 0: read the clock on every check, not a copy cached for a millisecond of real time.
    this.slow = new LRUCache({ max: opts.max, ttl: opts.ttlMs, perf: opts.clock, ttlResolution: 0 })
  }

  /** A request failed (timed out, could not be sent), or a faster peer answered while it was silent. */
  failed(peerId: string): void {
    this.slow.set(peerId, true)
  }

  /** It answered something: it is alive. */
  answered(peerId: string): void {
    this.slow.delete(peerId)
  }

  isSlow(peerId: string): boolean {
    return this.slow.has(peerId)
  }
}
