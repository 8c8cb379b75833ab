/**
 * The offline store's view of placement: one Placement per membership, its
 * rankings remembered (an LRU per membership), so that a recipient's
 * replicas are ranked once per membership rather than on every deposit and
 * every store (placement was 4% of the supernodes' CPU in
 * bench/offline-cost.ts's profile, issue 12 §2, with 4 members; ranking is
 * one SHA-256 per member, so more on a larger network).
 */
import { Placement, placedKey, type Placed } from '../placement/placement.js'

/** Recipients whose ranking one membership remembers. */
const REMEMBERED = 4096

export class OfflinePlacement {
  private current: { key: string; placement: Placement } | undefined

  constructor(private readonly members: () => Placed[]) {}

  /** The placement of the membership now; the same object while it does not change. */
  now(): Placement {
    const view = this.members()
    const key = view.map(placedKey).sort().join('\u0001')
    if (this.current?.key !== key)
      this.current = { key, placement: new Placement(view, { cacheSize: REMEMBERED }) }
    return this.current.placement
  }
}
