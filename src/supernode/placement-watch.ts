/**
 * Where this supernode places usernames now, and what to do when that moves.
 * The live members and the held grant list go through directory/seats.ts (by
 * the grants' seats once every live member can, else by peer id); whenever
 * the result changes (a member came or went, the network switched between
 * peer ids and seats, a seat or a grant's places changed) records and offline
 * items move to their new replicas by the usual repair.
 */
import { replicasFor, samePlacement, type Placed } from '../placement/placement.js'
import { placeMembers, type SeatDecision } from '../directory/seats.js'
import type { Logger } from '../log/logger.js'
import type { MemberView } from '../membership/types.js'
import type { SupernodeGrantList } from '../trust/grants.js'

export interface PlacementWatchInit {
  /** Live members (alive and suspect), this node included. */
  alive: () => MemberView[]
  grants: () => SupernodeGrantList | undefined
  megaWeight: number
  /** The placement moved from `before` to `after`: repair. */
  moved: (before: Placed[], after: Placed[]) => void
  log: Logger
}

export class PlacementWatch {
  private last: SeatDecision | undefined
  private memo: { key: string; grants: SupernodeGrantList | undefined; decision: SeatDecision } | undefined

  constructor(private readonly init: PlacementWatchInit) {}

  /**
   * Every member decides alike from the same membership and grant list. Asked on every lookup:
   * the answer is remembered until either changes (assigning places hashes places × supernodes).
   */
  decide(): SeatDecision {
    const grants = this.init.grants()
    const members = this.init.alive().map((m) => ({
      peerId: m.peerId,
      username: m.announcement.username,
      version: m.announcement.version,
      weight: m.announcement.mega ? this.init.megaWeight : 1,
    }))
    const key = members.map((m) => `${m.peerId} ${m.username} ${m.version} ${m.weight}`).join('\n')
    if (this.memo?.key === key && this.memo.grants === grants) return this.memo.decision
    const decision = placeMembers(
      members,
      grants?.version === 2 ? (username) => grants.seatOf(username) : undefined,
    )
    this.memo = { key, grants, decision }
    return decision
  }

  placed(): Placed[] {
    return this.decide().placed
  }

  /** What GET /v1/replicas/<username> answers. */
  replicas(username: string, r: number): { username: string; mode: string; replicas: string[] } {
    const d = this.decide()
    return { username, mode: d.mode, replicas: replicasFor(username, d.placed, r) }
  }

  /** Takes the current placement as the one repairs start from. */
  start(): void {
    this.last = this.decide()
  }

  /** Membership or the grant list changed: repairs when the placement moved. Never throws. */
  check(): void {
    try {
      const next = this.decide()
      const before = this.last
      if (before === undefined || samePlacement(next.placed, before.placed)) return
      this.last = next
      const { log } = this.init
      if (next.mode !== before.mode)
        log.info({ mode: next.mode, placed: next.placed.length }, 'placement mode changed')
      const unplaced = next.unplaced.filter((p) => !before.unplaced.includes(p))
      if (unplaced.length > 0)
        log.warn(
          { unplaced },
          'live supernodes past their account’s places are not placed (parley authority grant-supernode <user> --places N)',
        )
      this.init.moved(before.placed, next.placed)
    } catch (err) {
      this.init.log.error({ err }, 'placement check failed')
    }
  }
}
