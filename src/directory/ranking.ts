/**
 * Whom a lookup asks, in which order, and how much each "not found" weighs:
 * the username's ranking under the current placement, deeper than the places
 * a record is stored at, so that a lookup can go on past frozen replicas to
 * where a publish went when they did not acknowledge.
 *
 * A node "may lack" the record when it is ranked below the stored places, or
 * entered them within the last settleMs: repair reaches a newly ranked node
 * only once the holders' own membership has changed too, seconds later, and
 * until then it answers "not found" for a user who is online. Sans-IO: `now`
 * is passed in.
 */
import type { Ranked } from './lookup.js'
import { Placement, placedKey, type Placed } from '../placement/placement.js'

export interface RankingsOptions {
  /** Ranks a record is stored at (replicas and spares). */
  stored: number
  /** Ranks a lookup may go down to, and a publish when ranks do not acknowledge; ≥ stored. */
  depth: number
  /** How long a node newly among the stored ranks may still lack records. */
  settleMs: number
  /** Remembered rankings per placement (LRU). */
  cacheSize?: number
}

export class Rankings {
  private current: { key: string; placement: Placement } | undefined
  /** The members array last given: the placement watch hands back the same one until membership changes. */
  private lastMembers: readonly Placed[] | undefined
  /** Placements replaced within the last settleMs, with when they were replaced. */
  private recent: Array<{ until: number; placement: Placement }> = []

  constructor(private readonly opts: RankingsOptions) {}

  /** The membership now; cheap when it did not change. */
  update(members: readonly Placed[], now: number): void {
    // Asked on every lookup: the same array again skips building and sorting the key.
    if (members === this.lastMembers) return
    this.lastMembers = members
    const key = members.map(placedKey).sort().join('\u0001')
    if (this.current?.key === key) return
    const placement = new Placement(members, { cacheSize: this.opts.cacheSize ?? 0 })
    if (this.current !== undefined) this.recent.push({ until: now, placement: this.current.placement })
    this.current = { key, placement }
    this.forget(now)
  }

  /** The best `depth` nodes for username, best first: where a publish stores, in order. */
  order(username: string): string[] {
    return this.current?.placement.replicasFor(username, this.opts.depth) ?? []
  }

  /** The ranking a lookup walks, each node marked when it may lack the record. */
  rank(username: string, now: number, isSlow: (peerId: string) => boolean = () => false): Ranked[] {
    this.forget(now)
    const stored = this.opts.stored
    const before = this.recent.map((r) => new Set(r.placement.replicasFor(username, stored)))
    return this.order(username).map((peerId, i) => ({
      peerId,
      mayLack: i >= stored || before.some((was) => !was.has(peerId)),
      slow: isSlow(peerId),
    }))
  }

  private forget(now: number): void {
    this.recent = this.recent.filter((r) => now - r.until < this.opts.settleMs)
  }
}
