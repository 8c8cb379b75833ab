import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Placement, replicasFor, type Placed } from '../placement/placement.js'
import { RecordStore, type StoredRecord } from './records.js'
import { notMine, planRepair, PUSHERS } from './repair.js'
import { placeMembers, SEATS_SINCE } from './seats.js'

const R = 3
const NOW = 0
const USERS = Array.from({ length: 40 }, (_, i) => `user-${i}`)
const rec = (username: string, deviceId: string): StoredRecord => ({
  username,
  deviceId,
  sequence: 1,
  expiresAt: 1_000,
  bytes: new Uint8Array(0),
})
const recordsOf = (username: string): StoredRecord[] => [rec(username, 'phone'), rec(username, 'laptop')]

/** Each member's store, filled as a completed repair would leave it: every user on its R replicas. */
function settled(members: readonly Placed[]): Map<string, RecordStore> {
  const stores = new Map(members.map((m) => [m.peerId, new RecordStore()]))
  const placement = new Placement(members)
  for (const username of USERS) {
    for (const peer of placement.replicasFor(username, R)) {
      for (const r of recordsOf(username)) stores.get(peer)!.put(r, NOW)
    }
  }
  return stores
}

/** Every surviving holder plans and pushes; checks that pushes go only to new replicas. */
function repair(stores: Map<string, RecordStore>, before: readonly Placed[], after: readonly Placed[]): void {
  const alive = new Set(after.map((m) => m.peerId))
  for (const m of after) if (!stores.has(m.peerId)) stores.set(m.peerId, new RecordStore())
  // Every holder plans from what it held when membership changed, as they would at once on separate nodes.
  const plans = [...stores]
    .filter(([self]) => alive.has(self))
    .map(([self, store]) => ({
      self,
      plan: planRepair({ self, records: store.all(NOW), before, after, r: R }),
    }))
  const was = new Placement(before, { cacheSize: USERS.length })
  const now = new Placement(after, { cacheSize: USERS.length })
  for (const { self, plan } of plans) {
    for (const { to, records } of plan) {
      expect(to).not.toBe(self)
      for (const r of records) {
        expect(now.replicasFor(r.username, R)).toContain(to)
        expect(was.replicasFor(r.username, R)).not.toContain(to)
        stores.get(to)!.put(r, NOW)
      }
    }
  }
}

function holds(store: RecordStore | undefined, username: string): boolean {
  return store !== undefined && store.get(username, NOW).length === recordsOf(username).length
}

const membership = fc
  .uniqueArray(
    fc.record({ peerId: fc.stringMatching(/^sn-[a-z]{1,3}$/), weight: fc.constantFrom(1, 1, 1, 4) }),
    { minLength: 1, maxLength: 10, selector: (n) => n.peerId },
  )
  .chain((before) =>
    fc.record({
      before: fc.constant(before),
      removed: fc.subarray(before.map((n) => n.peerId)),
      added: fc.uniqueArray(fc.stringMatching(/^new-[a-z]{1,2}$/), { maxLength: 3 }),
    }),
  )

describe('planRepair', () => {
  it('puts every record that still has a holder on all of its new replicas', () => {
    fc.assert(
      fc.property(membership, ({ before, removed, added }) => {
        const after = [
          ...before.filter((n) => !removed.includes(n.peerId)),
          ...added.map((peerId) => ({ peerId, weight: 1 })),
        ]
        const stores = settled(before)
        repair(stores, before, after)
        for (const username of USERS) {
          const holders = replicasFor(username, before, R)
          if (holders.every((p) => removed.includes(p))) continue
          for (const peer of replicasFor(username, after, R))
            expect(holds(stores.get(peer), username)).toBe(true)
        }
      }),
      { numRuns: 100 },
    )
  })

  it('loses nothing when any two of three replicas die', () => {
    const before: Placed[] = [
      ...Array.from({ length: 7 }, (_, i) => ({ peerId: `sn-${i}`, weight: 1 })),
      { peerId: 'mega', weight: 4 },
    ]
    // Every pair of every user's replicas, for a sample of users: exhaustive where it matters.
    for (const username of USERS.slice(0, 15)) {
      const replicas = replicasFor(username, before, R)
      for (const [i, j] of [
        [0, 1],
        [0, 2],
        [1, 2],
      ] as const) {
        const dead = [replicas[i]!, replicas[j]!]
        const after = before.filter((n) => !dead.includes(n.peerId))
        const stores = settled(before)
        repair(stores, before, after)
        for (const peer of replicasFor(username, after, R))
          expect(holds(stores.get(peer), username)).toBe(true)
      }
    }
  })

  it('moves every record to its replicas by seats when placement switches from peer ids, and back', () => {
    const members = Array.from({ length: 8 }, (_, i) => ({
      peerId: `sn-${i}`,
      username: i < 4 ? 'operator' : `owner${i}`,
      version: SEATS_SINCE,
      weight: i === 0 ? 4 : 1,
    }))
    const seat = (u: string) => ({ seat: new TextEncoder().encode(u.padEnd(16, '.')), places: 4 })
    const byPeerId = placeMembers(members, undefined).placed
    const bySeats = placeMembers(members, seat).placed
    expect(bySeats.every((p) => p.place !== undefined)).toBe(true)
    for (const [before, after] of [
      [byPeerId, bySeats],
      [bySeats, byPeerId],
    ] as const) {
      const stores = settled(before)
      repair(stores, before, after)
      for (const username of USERS)
        for (const peer of replicasFor(username, after, R))
          expect(holds(stores.get(peer), username)).toBe(true)
    }
    // A seat redrawn (withdrawn and granted again) is a change like any other.
    const redrawn = placeMembers(members, (u) =>
      u === 'owner5' ? { seat: new Uint8Array(16), places: 1 } : seat(u),
    ).placed
    const stores = settled(bySeats)
    repair(stores, bySeats, redrawn)
    for (const username of USERS)
      for (const peer of replicasFor(username, redrawn, R))
        expect(holds(stores.get(peer), username)).toBe(true)
  })

  it('has two survivors of the old set push, not every node that still holds the records', () => {
    const before: Placed[] = Array.from({ length: 20 }, (_, i) => ({ peerId: `sn-${i}`, weight: 1 }))
    const dead = new Set(['sn-1', 'sn-3', 'sn-4', 'sn-5', 'sn-6', 'sn-7'])
    const after = before.filter((m) => !dead.has(m.peerId))
    const records = USERS.flatMap(recordsOf)
    // Every live node holds every record: stand-ins and an older membership leave copies behind.
    const sent = new Map<string, number>()
    for (const { peerId: self } of after)
      for (const { to, records: pushed } of planRepair({ self, records, before, after, r: 6 }))
        for (const rec of pushed) {
          const key = `${rec.username} ${rec.deviceId} → ${to}`
          sent.set(key, (sent.get(key) ?? 0) + 1)
        }
    const was = new Placement(before)
    const now = new Placement(after)
    let expected = 0
    for (const username of USERS) {
      const old = was.replicasFor(username, 6)
      const pushers = Math.min(PUSHERS, old.filter((p) => !dead.has(p)).length)
      for (const to of now.replicasFor(username, 6).filter((p) => !old.includes(p))) {
        // Each record reaches each new replica from two nodes (one if one survived), not from all 14.
        for (const r of recordsOf(username)) {
          expect(sent.get(`${username} ${r.deviceId} → ${to}`)).toBe(pushers)
          expected += pushers
        }
      }
    }
    expect(expected).toBeGreaterThan(USERS.length * 2)
    expect([...sent.values()].reduce((a, b) => a + b, 0)).toBe(expected)
  })

  it('has every holder push when no member of the old set survived: the last copies', () => {
    const before: Placed[] = Array.from({ length: 10 }, (_, i) => ({ peerId: `sn-${i}`, weight: 1 }))
    const username = USERS[0]!
    const old = replicasFor(username, before, R)
    const after = before.filter((m) => !old.includes(m.peerId))
    const leftover = after[0]!.peerId
    const plan = planRepair({ self: leftover, records: recordsOf(username), before, after, r: R })
    const targets = replicasFor(username, after, R).filter((p) => p !== leftover)
    expect(plan.map((p) => p.to).sort()).toEqual([...targets].sort())
  })

  it('plans nothing when membership did not change, in whatever order it is listed', () => {
    const members = Array.from({ length: 6 }, (_, i) => ({ peerId: `sn-${i}`, weight: 1 }))
    const records = USERS.flatMap(recordsOf)
    expect(
      planRepair({ self: 'sn-0', records, before: members, after: [...members].reverse(), r: R }),
    ).toEqual([])
  })

  it('groups by destination, sorted, independent of record order', () => {
    const before = Array.from({ length: 6 }, (_, i) => ({ peerId: `sn-${i}`, weight: 1 }))
    const after = [...before.slice(1), { peerId: 'new-a', weight: 4 }, { peerId: 'new-b', weight: 1 }]
    const records = USERS.flatMap(recordsOf)
    const plan = planRepair({ self: 'sn-1', records, before, after, r: R })
    const again = planRepair({ self: 'sn-1', records: [...records].reverse(), before, after, r: R })
    expect(again).toEqual(plan)
    const destinations = plan.map((p) => p.to)
    expect(destinations).toEqual([...new Set(destinations)].sort())
    expect(destinations).not.toContain('sn-1')
  })
})

describe('notMine', () => {
  it('returns exactly the records of usernames this node is no replica for', () => {
    const members = Array.from({ length: 8 }, (_, i) => ({ peerId: `sn-${i}`, weight: i === 0 ? 4 : 1 }))
    const records = USERS.flatMap(recordsOf)
    for (const self of ['sn-0', 'sn-5', 'gone']) {
      const extra = notMine({ self, records, members, r: R })
      for (const username of USERS) {
        const mine = replicasFor(username, members, R).includes(self)
        const listed = extra.filter((r) => r.username === username).length
        expect(listed).toBe(mine ? 0 : recordsOf(username).length)
      }
    }
  })
})
