/**
 * Re-replication after a membership change. Each holder plans on its own,
 * from the two memberships and what it holds, with no coordination: every
 * surviving holder of a username pushes its records to the replicas that
 * joined that username's set. Several holders push the same records; the
 * receiving RecordStore answers 'stale' to the copies, and the redundancy is
 * what lets repair finish when a holder dies halfway through.
 */
import { Placement, samePlacement, type Placed } from '../placement/placement.js'
import type { StoredRecord } from './records.js'

export interface RepairPush {
  to: string
  records: StoredRecord[]
}

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
 * username held, the members of its new replica set other than self that were
 * not in its old set. Destinations sorted by peer id, records by username then
 * deviceId, so the plan does not depend on input order.
 */
export function planRepair(args: PlanRepairArgs): RepairPush[] {
  const { self, before, after, r } = args
  if (samePlacement(before, after)) return []
  const was = new Placement(before)
  const now = new Placement(after)
  const plan = new Map<string, StoredRecord[]>()
  for (const [username, records] of byUsername(args.records)) {
    const old = new Set(was.replicasFor(username, r))
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
