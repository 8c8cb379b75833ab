import { describe, expect, it } from 'vitest'
import { Placement, type Placed } from '../placement/placement.js'
import { MAX_BUSY_WAIT_MS, planKeyRepair, pushDelay } from './repair.js'

const R = 3
const KEYS = Array.from({ length: 60 }, (_, i) => `user-${i}`)
const nodes = (n: number, mega = 0): Placed[] =>
  Array.from({ length: n }, (_, i) => ({ peerId: `sn-${i}`, weight: i < mega ? 4 : 1 }))

/** Which nodes hold which keys: every key on its R replicas, as a finished repair leaves it. */
function settled(members: readonly Placed[]): Map<string, Set<string>> {
  const held = new Map(members.map((m) => [m.peerId, new Set<string>()]))
  const placement = new Placement(members)
  for (const key of KEYS) for (const p of placement.replicasFor(key, R)) held.get(p)!.add(key)
  return held
}

/** Every surviving holder plans from what it held and pushes; returns what each node then holds. */
function repair(held: Map<string, Set<string>>, before: Placed[], after: Placed[]): Map<string, Set<string>> {
  const alive = new Set(after.map((m) => m.peerId))
  const next = new Map([...held].filter(([p]) => alive.has(p)).map(([p, keys]) => [p, new Set(keys)]))
  for (const m of after) if (!next.has(m.peerId)) next.set(m.peerId, new Set())
  for (const [self, keys] of held) {
    if (!alive.has(self)) continue
    for (const push of planKeyRepair({ self, keys: [...keys], before, after, r: R })) {
      expect(push.to).not.toBe(self)
      for (const k of push.keys) next.get(push.to)!.add(k)
    }
  }
  return next
}

function everyKeyOnItsReplicas(held: Map<string, Set<string>>, members: Placed[]): void {
  const placement = new Placement(members)
  for (const key of KEYS)
    for (const p of placement.replicasFor(key, R)) expect(held.get(p)?.has(key), `${key} on ${p}`).toBe(true)
}

describe('planKeyRepair', () => {
  it('plans nothing when membership did not change, whatever the order', () => {
    const members = nodes(6, 1)
    expect(
      planKeyRepair({ self: 'sn-0', keys: KEYS, before: members, after: [...members].reverse(), r: R }),
    ).toEqual([])
  })

  it('two of three replicas killed: the survivor pushes to both newcomers, nothing is lost', () => {
    const before = nodes(8, 1)
    const held = settled(before)
    const key = 'user-7'
    const [keep, ...gone] = new Placement(before).replicasFor(key, R)
    const after = before.filter((m) => !gone.includes(m.peerId))
    const plan = planKeyRepair({ self: keep!, keys: [key], before, after, r: R })
    const newcomers = new Placement(after).replicasFor(key, R).filter((p) => p !== keep)
    expect(plan).toEqual(newcomers.sort().map((to) => ({ to, keys: [key] })))
    everyKeyOnItsReplicas(repair(held, before, after), after)
  })

  it('a join moves only the keys the newcomer now replicates, and sends them only to it', () => {
    const before = nodes(6)
    const after = [...before, { peerId: 'sn-new', weight: 1 }]
    const held = settled(before)
    const moved = new Placement(after).replicasFor.bind(new Placement(after))
    for (const [self, keys] of held) {
      for (const push of planKeyRepair({ self, keys: [...keys], before, after, r: R })) {
        expect(push.to).toBe('sn-new')
        for (const k of push.keys) expect(moved(k, R)).toContain('sn-new')
      }
    }
    everyKeyOnItsReplicas(repair(held, before, after), after)
  })

  it('keys sorted and deduplicated, destinations sorted', () => {
    const before = nodes(5)
    const after = before.slice(1)
    const plan = planKeyRepair({ self: 'sn-1', keys: [...KEYS].reverse().concat(KEYS), before, after, r: R })
    expect(plan.map((p) => p.to)).toEqual([...plan.map((p) => p.to)].sort())
    for (const p of plan) expect(p.keys).toEqual([...new Set(p.keys)].sort())
  })
})

describe('pushDelay: a push never comes back to a busy replica before its retry time', () => {
  const policy = { baseMs: 500, capMs: 8_000 }

  it('waits a busy answer’s retry time, even on the first push and when the jitter draws less', () => {
    expect(pushDelay(0, 0, policy, 0.5)).toBe(0)
    expect(pushDelay(0, 1_500, policy, 0.5)).toBe(1_500)
    // Attempt 1's window is 1 s: whatever it draws, the busy answer's 1.5 s stands.
    expect(pushDelay(1, 1_500, policy, 0.99)).toBe(1_500)
    // Attempt 3's window is 4 s: a longer draw stands.
    expect(pushDelay(3, 1_500, policy, 0.99)).toBe(3_960)
    expect(pushDelay(2, 0, policy, 0.5)).toBe(1_000)
  })

  it('takes no more than MAX_BUSY_WAIT_MS from a replica, and nothing from garbage', () => {
    expect(pushDelay(0, 86_400_000, policy, 0.5)).toBe(MAX_BUSY_WAIT_MS)
    expect(pushDelay(0, Number.NaN, policy, 0.5)).toBe(0)
    expect(pushDelay(0, -5, policy, 0.5)).toBe(0)
  })
})
