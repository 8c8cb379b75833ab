/**
 * What an offline-store holder pushes where when membership changes. The
 * same rule as the directory's repair (src/directory/repair.ts): for each
 * recipient held, push its items to every member of its new replica set that
 * was not in its old set, other than self. Every surviving holder does so on
 * its own; the receiving store answers duplicates ok, and the redundancy lets
 * repair finish when a holder dies halfway through. Sans-IO: keys in, plan out.
 */
import { Placement, samePlacement, type Placed } from '../placement/placement.js'
import { fullJitter, type BackoffPolicy } from '../util/backoff.js'

export interface KeyPush {
  to: string
  /** Keys (recipients) whose items go to `to`, sorted. */
  keys: string[]
}

export interface PlanKeyRepairArgs {
  self: string
  keys: readonly string[]
  before: readonly Placed[]
  after: readonly Placed[]
  r: number
}

/** Destinations sorted by peer id, keys sorted, so the plan does not depend on input order. */
export function planKeyRepair(args: PlanKeyRepairArgs): KeyPush[] {
  const { self, before, after, r } = args
  if (samePlacement(before, after)) return []
  const was = new Placement(before)
  const now = new Placement(after)
  const plan = new Map<string, string[]>()
  for (const key of [...new Set(args.keys)].sort(compare)) {
    const old = new Set(was.replicasFor(key, r))
    for (const to of now.replicasFor(key, r)) {
      if (to === self || old.has(to)) continue
      let keys = plan.get(to)
      if (keys === undefined) plan.set(to, (keys = []))
      keys.push(key)
    }
  }
  return [...plan.keys()].sort(compare).map((to) => ({ to, keys: plan.get(to)! }))
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The longest a push waits on a busy destination's word: a hostile one could ask for days. */
export const MAX_BUSY_WAIT_MS = 30_000

/**
 * How long a push waits before its attempt `attempt` (0 is the first, at
 * once unless the destination was busy): full jitter on `policy`, and never
 * less than the retry time the destination gave when it last answered busy
 * (at most MAX_BUSY_WAIT_MS). A busy replica is shedding load; pushing to it
 * again at once would only add to what it sheds (December 2010).
 */
export function pushDelay(
  attempt: number,
  busyRetryAfterMs: number,
  policy: BackoffPolicy,
  random: number,
): number {
  const jitter = attempt <= 0 ? 0 : fullJitter(attempt, policy, random)
  const busy = Number.isFinite(busyRetryAfterMs)
    ? Math.min(Math.max(busyRetryAfterMs, 0), MAX_BUSY_WAIT_MS)
    : 0
  return Math.max(jitter, busy)
}
