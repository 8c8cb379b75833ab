/**
 * Which peers failed to answer lately: a lookup asks them without waiting
 * on them, and a device asks its other supernode first. A peer is slow from
 * a failed or hedged-past request until it answers anything, or for ttlMs.
 *
 * A peer that failed `openAfter` times in a row without answering anything
 * in between (frozen, or its host stalled) is sent one request at a time: a
 * probe. While the probe is out, `begin` refuses further requests to it, so
 * the caller fails them at once (the directory gates its fetches this way:
 * the lookup asks the next rank) instead of opening a stream that nobody
 * will answer for each lookup that ranks it. That was most of the fresh streams a network
 * opened right after 30% of its supernodes froze: thousands in 25 s, each a
 * yamux SYN, a negotiation that never ends, a 300 ms timer and an abort
 * (docs/directory.md, "Overload"). Any answer closes the circuit again. The
 * pattern is the circuit breaker's half-open state (Nygard, "Release It!").
 *
 * The clock is injected (lru-cache's `perf`), so tests run in virtual time.
 */
import { LRUCache } from 'lru-cache'

export interface SlowPeersOptions {
  /** How long a peer stays slow without answering. */
  ttlMs: number
  /** Peers remembered at most (the least recently marked go first). */
  max: number
  clock: { now(): number }
  /** Failures in a row after which a peer gets one request at a time, default OPEN_AFTER. */
  openAfter?: number
}

/** Failures in a row (no answer between them) after which a peer is only probed. */
export const OPEN_AFTER = 3

export class SlowPeers {
  /** Peer → failures since its last answer; present while the peer is slow. */
  private readonly slow: LRUCache<string, number>
  private readonly inFlight = new Map<string, number>()
  private readonly openAfter: number

  constructor(opts: SlowPeersOptions) {
    // ttlResolution 0: read the clock on every check, not a copy cached for a millisecond of real time.
    this.slow = new LRUCache({ max: opts.max, ttl: opts.ttlMs, perf: opts.clock, ttlResolution: 0 })
    this.openAfter = Math.max(1, opts.openAfter ?? OPEN_AFTER)
  }

  /** A request failed (timed out, could not be sent), or a faster peer answered while it was silent. */
  failed(peerId: string): void {
    this.slow.set(peerId, (this.slow.get(peerId) ?? 0) + 1)
  }

  /** It answered something: it is alive. */
  answered(peerId: string): void {
    this.slow.delete(peerId)
  }

  isSlow(peerId: string): boolean {
    return this.slow.has(peerId)
  }

  /** Failed openAfter times in a row: only one request at a time goes to it. */
  isOpen(peerId: string): boolean {
    return (this.slow.get(peerId) ?? 0) >= this.openAfter
  }

  /**
   * A request to the peer is about to go out: false when it must not (the peer's circuit is
   * open and a probe is already out). After true, call `end` once the request is over.
   */
  begin(peerId: string): boolean {
    const out = this.inFlight.get(peerId) ?? 0
    if (out > 0 && this.isOpen(peerId)) return false
    this.inFlight.set(peerId, out + 1)
    return true
  }

  /** A request that `begin` let out is over (answered, failed or timed out). */
  end(peerId: string): void {
    const out = (this.inFlight.get(peerId) ?? 0) - 1
    if (out > 0) this.inFlight.set(peerId, out)
    else this.inFlight.delete(peerId)
  }
}
