/**
 * Re-replication after a membership change. Each holder plans on its own,
 * from the two memberships and what it holds, with no coordination: the
 * first PUSHERS surviving members of a username's old replica set push its
 * records to the replicas that joined that set. Two push the same records
 * (the receiving RecordStore answers 'stale' to the copy), so repair still
 * finishes when one of them dies halfway through, or lacked a record.
 *
 * Not every holder: records also stay, until they expire, on nodes that held
 * them as stand-ins or under an older membership, and in a network whose
 * membership changed while devices published that was nearly every node.
 * When every holder pushed, 6 supernodes frozen out of 20 had the 14 live
 * ones push each affected record to each new replica, about 6,000–10,000
 * records in the seconds when the devices that lost a supernode were all
 * publishing again (docs/directory.md, "Stores together"). Only when no
 * member of the old set survived does every holder push: those are the last
 * copies.
 */
import { Placement, samePlacement, type Placed } from '../placement/placement.js'
import type { StoredRecord } from './records.js'

export interface RepairPush {
  to: string
  records: StoredRecord[]
}

/** Surviving members of a username's old replica set that push its records to the new ones. */
export const PUSHERS = 2

export interface PlanRepairArgs {
  self: string
  records: readonly StoredRecord[]
  before: readonly Placed[]
  after: readonly Placed[]
  r: number
}

/**
 * What to push where after membership changed from `before` to `after`, so
 * each record this node holds reaches every replica it now has: for each
 * username held whose pushers (above) include self, or that has none left,
 * the members of its new replica set other than self that were not in its
 * old set. Destinations sorted by peer id, records by username then deviceId,
 * so the plan does not depend on input order.
 */
export function planRepair(args: PlanRepairArgs): RepairPush[] {
  const { self, before, after, r } = args
  if (samePlacement(before, after)) return []
  const was = new Placement(before)
  const now = new Placement(after)
  const alive = new Set(after.map((m) => m.peerId))
  const plan = new Map<string, StoredRecord[]>()
  for (const [username, records] of byUsername(args.records)) {
    const oldSet = was.replicasFor(username, r)
    const pushers = oldSet.filter((p) => alive.has(p)).slice(0, PUSHERS)
    if (pushers.length > 0 && !pushers.includes(self)) continue
    const old = new Set(oldSet)
    for (const to of now.replicasFor(username, r)) {
      if (to === self || old.has(to)) continue
      let batch = plan.get(to)
      if (batch === undefined) plan.set(to, (batch = []))
      batch.push(...records)
    }
  }
  return [...plan.keys()].sort(compare).map((to) => ({ to, records: plan.get(to)! }))
}

export interface NotMineArgs {
  self: string
  records: readonly StoredRecord[]
  members: readonly Placed[]
  r: number
}

/**
 * Records this node no longer needs (it is not one of their replicas). Keep
 * them until the new replicas acknowledged the pushes: dropping first would
 * lose a record whose other holders died in the same change.
 */
export function notMine(args: NotMineArgs): StoredRecord[] {
  const placement = new Placement(args.members)
  const out: StoredRecord[] = []
  for (const [username, records] of byUsername(args.records)) {
    if (!placement.replicasFor(username, args.r).includes(args.self)) out.push(...records)
  }
  return out
}

/** Usernames in sorted order, each with its records sorted by deviceId: one placement per username. */
function byUsername(records: readonly StoredRecord[]): Array<[string, StoredRecord[]]> {
  const groups = new Map<string, StoredRecord[]>()
  for (const record of records) {
    const group = groups.get(record.username)
    if (group === undefined) groups.set(record.username, [record])
    else group.push(record)
  }
  for (const group of groups.values()) group.sort((a, b) => compare(a.deviceId, b.deviceId))
  return [...groups].sort((a, b) => compare(a[0], b[0]))
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
