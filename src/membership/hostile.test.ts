/**
 * The membership core against hostile input, in virtual time: strangers are
 * refused without leaving state, forged incarnations cannot bury anyone, and a
 * rogue member's false deaths are refuted before they take. The same attacks
 * run against real processes in test/hostile/membership.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { Membership } from './membership.js'
import { seededRandom } from './prng.js'
import { announcementFor as ann } from './sim.js'
import type { MembershipEvent, MembershipMessage, MemberUpdate } from './types.js'

const TOP = Number.MAX_SAFE_INTEGER

type Sent = { from: string; to: string; msg: MembershipMessage }

function node(id: string, seeds: string[] = []): Membership {
  return new Membership(
    { self: ann(id), seeds, random: seededRandom(id.length * 17 + 3), syncIntervalMs: 0 },
    0,
  )
}

function drain(m: Membership, from: string): Sent[] {
  const out: Sent[] = []
  for (let t = m.pollTransmit(); t !== undefined; t = m.pollTransmit()) out.push({ from, ...t })
  return out
}

function events(m: Membership): MembershipEvent[] {
  const out: MembershipEvent[] = []
  for (let e = m.pollEvent(); e !== undefined; e = m.pollEvent()) out.push(e)
  return out
}

const alive = (id: string, inc = 1): MemberUpdate => ({
  peerId: id,
  incarnation: inc,
  state: 'alive',
  announcement: ann(id, inc),
})
const ping = (updates: MemberUpdate[]): MembershipMessage => ({ kind: 'ping', seq: 1, updates })

/** Runs a cluster in 10 ms steps; `adapt` answers refutations as the real adapter does. */
function run(nodes: Record<string, Membership>, from: number, until: number, onStep?: (now: number) => void) {
  for (let now = from; now <= until; now += 10) {
    onStep?.(now)
    for (const [id, m] of Object.entries(nodes)) {
      if ((m.pollTimeout() ?? Infinity) <= now) m.handleTimeout(now)
      for (const e of events(m))
        if (e.type === 'refute')
          m.announce(ann(id, Math.max(e.incarnation, m.member(id)!.incarnation) + 1), now)
        else if (e.type === 'dead') deaths.push(`${id} saw ${e.member.peerId} dead`)
    }
    let queue = Object.entries(nodes).flatMap(([id, m]) => drain(m, id))
    while (queue.length > 0) {
      const next: Sent[] = []
      for (const s of queue) {
        const to = nodes[s.to]
        if (to === undefined) continue
        to.handleMessage(s.from, s.msg, now)
        next.push(...drain(to, s.to))
      }
      queue = next
    }
  }
}
let deaths: string[] = []

function cluster(ids: string[]): Record<string, Membership> {
  const nodes: Record<string, Membership> = {}
  for (const id of ids) nodes[id] = node(id, id === ids[0] ? [] : [ids[0]!])
  run(nodes, 0, 6000)
  deaths = []
  return nodes
}

describe('a stranger (a key with no verified announcement)', () => {
  it('is refused as a whole and leaves no state: no tombstones, no suspicions, no answer', () => {
    const a = node('a')
    a.handleMessage('b', { kind: 'sync', seq: 1, updates: [alive('b')] }, 0)
    drain(a, 'a')
    events(a)
    const before = a.stats()
    const forged: MemberUpdate[] = [
      { peerId: 'a', incarnation: TOP, state: 'dead' },
      { peerId: 'b', incarnation: TOP, state: 'dead' },
      ...Array.from({ length: 510 }, (_, i) => ({
        peerId: `ghost-${i}`,
        incarnation: TOP,
        state: 'dead' as const,
      })),
    ]
    for (const kind of ['ping', 'ack', 'ping-req', 'sync', 'sync-reply'] as const) {
      const msg = { kind, seq: 9, target: 'b', updates: forged } as MembershipMessage
      expect(a.handleMessage('evil', msg, 10)).toBe('not_member')
    }
    expect(a.stats()).toEqual(before)
    expect(a.member('b')?.state).toBe('alive')
    expect(drain(a, 'a')).toEqual([])
    expect(events(a)).toEqual([])
  })

  it('may join by bringing its own announcement', () => {
    const a = node('a')
    expect(a.handleMessage('c', { kind: 'sync', seq: 1, updates: [alive('c')] }, 0)).toBeUndefined()
    expect(a.member('c')?.state).toBe('alive')
  })
})

describe('a member sending forged news', () => {
  it('cannot bury another member at an incarnation that member never signed', () => {
    const a = node('a')
    for (const id of ['rogue', 'x']) a.handleMessage(id, { kind: 'sync', seq: 1, updates: [alive(id, 5)] }, 0)
    events(a)
    a.handleMessage('rogue', ping([{ peerId: 'x', incarnation: TOP, state: 'dead' }]), 1)
    a.handleMessage('rogue', ping([{ peerId: 'x', incarnation: TOP - 1, state: 'suspect' }]), 2)
    a.handleMessage('rogue', ping([{ peerId: 'x', incarnation: 6, state: 'dead' }]), 3)
    expect(a.member('x')).toMatchObject({ state: 'alive', incarnation: 5 })
    expect(events(a)).toEqual([])
  })

  it('cannot push our incarnation out of reach: we refute above our own, not above the forged one', () => {
    const a = node('a')
    a.handleMessage('rogue', { kind: 'sync', seq: 1, updates: [alive('rogue')] }, 0)
    events(a)
    a.handleMessage('rogue', ping([{ peerId: 'a', incarnation: TOP, state: 'dead' }]), 1)
    expect(events(a)).toEqual([{ type: 'refute', incarnation: 1 }])
    a.announce(ann('a', 2), 2)
    expect(a.member('a')?.incarnation).toBe(2)
  })

  it('makes healthy members refute its false deaths: they stay in every view', () => {
    const nodes = cluster(['s', 'a', 'b', 'c', 'rogue'])
    const victims = ['s', 'a', 'b', 'c']
    // To everyone at once: each victim is dead, at the incarnation it last signed.
    for (const to of victims)
      for (const x of victims.filter((v) => v !== to)) {
        const inc = nodes[to]!.member(x)!.incarnation
        nodes[to]!.handleMessage('rogue', ping([{ peerId: x, incarnation: inc, state: 'dead' }]), 6000)
      }
    run(nodes, 6000, 16_000)
    // A member it accuses for a moment is suspected, never buried: the victim's signed
    // refutation clears it, so the directory's placement never changes.
    expect(deaths).toEqual([])
    for (const id of victims)
      for (const x of victims) expect(nodes[id]!.member(x)?.state, `${id} sees ${x}`).toBe('alive')
    expect(nodes.a!.member('a')!.incarnation).toBeGreaterThan(1)
  })
})

describe('a member whose role was withdrawn', () => {
  it('is expelled at once, reported dead, and refused until it verifies again', () => {
    const a = node('a')
    a.handleMessage('x', { kind: 'sync', seq: 1, updates: [alive('x')] }, 0)
    events(a)
    a.expel('x')
    expect(events(a).map((e) => e.type)).toEqual(['dead'])
    expect(a.member('x')).toBeUndefined()
    expect(a.handleMessage('x', ping([]), 1)).toBe('not_member')
    expect(a.stats()).toMatchObject({ live: 1, dead: 0 })
  })
})
