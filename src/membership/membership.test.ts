import { describe, expect, it } from 'vitest'
import { MembershipOptionsError, StaleIncarnationError, WrongPeerError } from './errors.js'
import { Membership } from './membership.js'
import { seededRandom } from './prng.js'
import { announcementFor as ann } from './sim.js'
import type { MembershipEvent, MembershipMessage, MembershipOptions, MemberUpdate } from './types.js'

type Sent = { from: string; to: string; msg: MembershipMessage }

function node(id: string, seeds: string[] = [], opts: Partial<MembershipOptions> = {}, now = 0): Membership {
  return new Membership({ self: ann(id), seeds, random: seededRandom(id.length * 31 + 7), ...opts }, now)
}

function sent(m: Membership, from: string): Sent[] {
  const out: Sent[] = []
  for (let t = m.pollTransmit(); t !== undefined; t = m.pollTransmit()) out.push({ from, ...t })
  return out
}

function events(m: Membership): MembershipEvent[] {
  const out: MembershipEvent[] = []
  for (let e = m.pollEvent(); e !== undefined; e = m.pollEvent()) out.push(e)
  return out
}

/** Delivers everything at once until quiet; `drop` loses chosen messages. Returns what was sent. */
function exchange(nodes: Record<string, Membership>, now: number, drop = (_s: Sent) => false): Sent[] {
  const log: Sent[] = []
  let queue = Object.entries(nodes).flatMap(([id, m]) => sent(m, id))
  while (queue.length > 0) {
    const next: Sent[] = []
    for (const s of queue) {
      log.push(s)
      const to = nodes[s.to]
      if (to === undefined || drop(s)) continue
      to.handleMessage(s.from, s.msg, now)
      next.push(...sent(to, s.to))
    }
    queue = next
  }
  return log
}

/** Runs every node's timers up to `until`, exchanging messages at each step. */
function runUntil(
  nodes: Record<string, Membership>,
  from: number,
  until: number,
  drop?: (s: Sent) => boolean,
) {
  const log: Sent[] = []
  for (let now = from; now <= until; now += 10) {
    for (const m of Object.values(nodes)) if ((m.pollTimeout() ?? Infinity) <= now) m.handleTimeout(now)
    log.push(...exchange(nodes, now, drop))
  }
  return log
}

/** A, B, C (and more) joined through seed A, events drained. */
function cluster(ids: string[], opts: Partial<MembershipOptions> = {}): Record<string, Membership> {
  const nodes: Record<string, Membership> = {}
  for (const id of ids) {
    nodes[id] = node(id, id === ids[0] ? [] : [ids[0] as string], { syncIntervalMs: 0, ...opts })
    exchange(nodes, 0)
  }
  // Let the joins' gossip reach everyone.
  runUntil(nodes, 0, 5000)
  for (const m of Object.values(nodes)) events(m)
  return nodes
}

const alive = (id: string, inc: number, extra: Partial<ReturnType<typeof ann>> = {}): MemberUpdate => ({
  peerId: id,
  incarnation: inc,
  state: 'alive',
  announcement: { ...ann(id, inc), ...extra },
})
const ping = (updates: MemberUpdate[], seq = 1000): MembershipMessage => ({ kind: 'ping', seq, updates })

/** `m` learns each of `ids` from its own announcement, as a joiner's sync brings it. */
function knows(m: Membership, ids: string[], now = 0): void {
  for (const id of ids) m.handleMessage(id, { kind: 'sync', seq: 1, updates: [alive(id, 1)] }, now)
  sent(m, 'self')
  events(m)
}

describe('joining', () => {
  it('learns every member with its announcement in one round trip to a seed', () => {
    const nodes = cluster(['s', 'a', 'b'])
    const c = node('c', ['s'])
    nodes.c = c
    const log = exchange(nodes, 6000)
    expect(log.map((s) => `${s.from}>${s.to}:${s.msg.kind}`)).toEqual(['c>s:sync', 's>c:sync-reply'])
    expect(c.members().map((m) => m.peerId)).toEqual(['a', 'b', 'c', 's'])
    expect(c.member('a')?.announcement.addrs).toEqual(ann('a').addrs)
    expect(events(c).filter((e) => e.type === 'joined')).toHaveLength(3)
    // The seed gossips the newcomer on: everyone knows c after a few probe rounds.
    runUntil(nodes, 6000, 12_000)
    for (const id of ['a', 'b', 's']) expect(nodes[id]?.member('c')?.state).toBe('alive')
  })

  it('never learns a member without its announcement', () => {
    const a = node('a')
    a.handleMessage('b', ping([{ peerId: 'x', incarnation: 1, state: 'alive' }]), 0)
    a.handleMessage('b', ping([{ peerId: 'y', incarnation: 1, state: 'suspect' }]), 0)
    a.handleMessage('b', ping([{ ...alive('z', 1), announcement: ann('other', 1) }]), 0)
    expect(a.members().map((m) => m.peerId)).toEqual(['a'])
    expect(events(a)).toEqual([])
  })

  it('tries the next seed at once when one cannot be dialled, then backs off', () => {
    const a = node('a', ['s1', 's2', 's3', 'a'])
    const first = sent(a, 'a')
    expect(first.map((s) => s.msg.kind)).toEqual(['sync'])
    a.unreachable(first[0]?.to ?? '', 50)
    const second = sent(a, 'a')
    expect(second).toHaveLength(1)
    expect(second[0]?.to).not.toBe(first[0]?.to)
    // Unanswered: each retry waits longer, never on ourselves.
    const times: number[] = []
    while (times.length < 8) {
      const now = a.pollTimeout() ?? Infinity
      a.handleTimeout(now)
      const s = sent(a, 'a').filter((x) => x.msg.kind === 'sync')
      if (s.length > 0) times.push(now)
      expect(s.every((x) => x.to !== 'a')).toBe(true)
    }
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0))
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000)
    expect(Math.max(...gaps)).toBeGreaterThan(4000)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(32_000)
  })
})

describe('incarnation rules', () => {
  it('takes higher incarnations, ignores older news, and treats dead as final for its incarnation', () => {
    const a = node('a')
    knows(a, ['b'])
    a.handleMessage('b', ping([alive('x', 3, { load: 30 })]), 0)
    expect(events(a).map((e) => e.type)).toEqual(['joined'])
    a.handleMessage('b', ping([alive('x', 2, { load: 20 })]), 1)
    a.handleMessage('b', ping([{ peerId: 'x', incarnation: 2, state: 'suspect' }]), 2)
    a.handleMessage('b', ping([{ peerId: 'x', incarnation: 2, state: 'dead' }]), 3)
    expect(a.member('x')).toMatchObject({ state: 'alive', incarnation: 3, announcement: { load: 30 } })
    a.handleMessage('b', ping([alive('x', 4, { load: 40 })]), 4)
    expect(events(a).map((e) => e.type)).toEqual(['updated'])
    expect(a.member('x')?.announcement.load).toBe(40)
    // Suspect overrides alive at the same incarnation; alive at the same one does not undo it.
    a.handleMessage('b', ping([{ peerId: 'x', incarnation: 4, state: 'suspect' }]), 5)
    a.handleMessage('b', ping([alive('x', 4)]), 6)
    expect(a.member('x')?.state).toBe('suspect')
    a.handleMessage('b', ping([alive('x', 5)]), 7)
    expect(a.member('x')?.state).toBe('alive')
    // Another's word that x died is a suspicion while x looked healthy to us…
    a.handleMessage('b', ping([{ peerId: 'x', incarnation: 5, state: 'dead' }]), 8)
    expect(a.member('x')?.state).toBe('suspect')
    // …and final once we have suspected x for half the suspicion timeout.
    a.handleMessage('b', ping([{ peerId: 'x', incarnation: 5, state: 'dead' }]), 8 + 1500)
    a.handleMessage('b', ping([alive('x', 5)]), 1509)
    expect(a.member('x')?.state).toBe('dead')
    expect(a.members().map((m) => m.peerId)).toEqual(['a', 'b'])
    a.handleMessage('b', ping([alive('x', 6)]), 1510)
    expect(events(a).map((e) => e.type)).toEqual(['suspect', 'alive', 'suspect', 'dead', 'joined'])
  })

  it('asks the adapter to refute a suspicion or a death of ourselves, once per incarnation', () => {
    const a = node('a')
    knows(a, ['b', 'c'])
    sent(a, 'a')
    a.handleMessage('b', ping([{ peerId: 'a', incarnation: 1, state: 'suspect' }]), 0)
    a.handleMessage('c', ping([{ peerId: 'a', incarnation: 1, state: 'dead' }]), 1)
    a.handleMessage('c', ping([{ peerId: 'a', incarnation: 0, state: 'dead' }]), 1)
    expect(events(a)).toEqual([{ type: 'refute', incarnation: 1 }])
    sent(a, 'a')
    expect(() => a.announce(ann('a', 1), 2)).toThrow(StaleIncarnationError)
    expect(() => a.announce(ann('b', 5), 2)).toThrow(WrongPeerError)
    a.announce(ann('a', 2), 2)
    // The accusers hear the refutation directly, announcement included.
    const told = sent(a, 'a')
    expect(told.map((s) => s.to).sort()).toEqual(['b', 'c'])
    for (const s of told)
      expect(s.msg.updates[0]).toMatchObject({ peerId: 'a', incarnation: 2, state: 'alive' })
    a.handleMessage('b', ping([{ peerId: 'a', incarnation: 2, state: 'suspect' }]), 3)
    expect(events(a)).toEqual([{ type: 'refute', incarnation: 2 }])
  })

  it('lets a refutation clear the suspicion everywhere before it turns into a death', () => {
    const nodes = cluster(['a', 'b', 'c', 'd'])
    const b = nodes.b as Membership
    // b's links are down for one probe period: someone suspects it.
    runUntil(nodes, 5000, 7000, (s) => s.to === 'b' || s.from === 'b')
    const suspects = Object.values(nodes).filter((m) => m.member('b')?.state === 'suspect')
    expect(suspects.length).toBeGreaterThan(0)
    // Links back: b hears it, the adapter signs incarnation 2, everyone takes it.
    let t = 7000
    for (; t < 9000; t += 10) {
      for (const e of events(b)) if (e.type === 'refute') b.announce(ann('b', e.incarnation + 1), t)
      runUntil(nodes, t, t)
    }
    runUntil(nodes, t, 12_000)
    for (const m of Object.values(nodes))
      expect(m.member('b')).toMatchObject({ state: 'alive', incarnation: 2 })
  })
})

describe('probing', () => {
  it('suspects a silent member after one period and declares it dead after the suspicion timeout', () => {
    const nodes = cluster(['a', 'b', 'c'])
    const log = runUntil(nodes, 5000, 12_000, (s) => s.to === 'b' || s.from === 'b')
    const a = nodes.a as Membership
    const evs = events(a).filter((e) => e.type !== 'refute' && e.member.peerId === 'b')
    expect(evs.map((e) => e.type)).toEqual(['suspect', 'dead'])
    const [suspect, dead] = evs.map((e) => (e.type === 'refute' ? 0 : e.member.since))
    expect((dead ?? 0) - (suspect ?? 0)).toBeLessThanOrEqual(3000 + 10)
    expect(log.some((s) => s.msg.kind === 'ping-req' && s.msg.target === 'b')).toBe(true)
    expect(a.members().map((m) => m.peerId)).toEqual(['a', 'c'])
  })

  it('reaches a member through ping-req when the direct link is broken but others reach it', () => {
    const nodes = cluster(['a', 'b', 'c', 'd'])
    const broken = (s: Sent) => (s.from === 'a' && s.to === 'b') || (s.from === 'b' && s.to === 'a')
    const log = runUntil(nodes, 5000, 35_000, broken)
    const relayed = log.filter((s) => s.msg.kind === 'ack' && s.msg.target === 'b' && s.from !== 'b')
    expect(log.filter((s) => s.msg.kind === 'ping-req' && s.from === 'a').length).toBeGreaterThan(0)
    expect(relayed.filter((s) => s.to === 'a').length).toBeGreaterThan(0)
    for (const m of Object.values(nodes)) expect(m.member('b')?.state).toBe('alive')
  })

  it('ignores duplicate, late and mismatched acks', () => {
    const nodes = cluster(['a', 'b', 'c'])
    const a = nodes.a as Membership
    let now = 5000
    const nextPing = (): Sent => {
      for (;;) {
        now = a.pollTimeout() ?? now + 10
        a.handleTimeout(now)
        const p = sent(a, 'a').find((s) => s.msg.kind === 'ping')
        if (p !== undefined) return p
      }
    }
    const ack = (p: Sent, target = p.to): MembershipMessage => ({
      kind: 'ack',
      seq: p.msg.seq,
      target,
      updates: [],
    })
    const first = nextPing()
    a.handleMessage(first.to, ack(first, first.to === 'b' ? 'c' : 'b'), now + 5)
    expect(a.stats().probes).toBe(1)
    a.handleMessage(first.to, ack(first), now + 10)
    a.handleMessage(first.to, ack(first), now + 11)
    expect(a.stats().probes).toBe(0)
    // The next probe goes unanswered: its target is suspected and probed again at once.
    const second = nextPing()
    while (a.member(second.to)?.state !== 'suspect') {
      now = a.pollTimeout() ?? now + 10
      a.handleTimeout(now)
    }
    const retry = sent(a, 'a').find((s) => s.msg.kind === 'ping' && s.to === second.to)
    expect(retry?.msg.seq).not.toBe(second.msg.seq)
    // The late ack answers a probe that is over: it neither ends the new probe nor clears the suspicion.
    const inFlight = a.stats().probes
    a.handleMessage(second.to, ack(second), now + 50)
    a.handleMessage(second.to, ack(first), now + 60)
    expect(a.stats().probes).toBe(inFlight)
    expect(a.member(second.to)?.state).toBe('suspect')
  })

  it('goes straight to indirect probes when the adapter cannot dial the target', () => {
    const nodes = cluster(['a', 'b', 'c', 'd'])
    const a = nodes.a as Membership
    a.unreachable('b', 5000)
    const out = sent(a, 'a')
    expect(out.map((s) => `${s.msg.kind}:${s.msg.kind === 'ping-req' ? s.msg.target : ''}`)).toEqual([
      'ping-req:b',
      'ping-req:b',
    ])
    expect(out.every((s) => s.to !== 'b' && s.to !== 'a')).toBe(true)
    // A second report while that probe is in flight adds nothing.
    a.unreachable('b', 5010)
    expect(sent(a, 'a')).toEqual([])
  })

  it('answers a ping-req about itself directly, and never sends to itself', () => {
    const a = node('a', ['a'])
    expect(sent(a, 'a')).toEqual([])
    knows(a, ['b'])
    a.handleMessage('b', { kind: 'ping-req', seq: 7, target: 'a', updates: [] }, 0)
    expect(sent(a, 'a')).toMatchObject([{ to: 'b', msg: { kind: 'ack', seq: 7, target: 'a' } }])
    a.handleMessage('a', ping([alive('x', 1)]), 0)
    expect(a.member('x')).toBeUndefined()
  })

  it('leaves gracefully: members mark it dead without a suspicion', () => {
    const nodes = cluster(['a', 'b', 'c', 'd'])
    ;(nodes.b as Membership).leave(5000)
    exchange(nodes, 5000)
    delete nodes.b
    runUntil(nodes, 5000, 7000)
    for (const m of Object.values(nodes)) {
      expect(m.member('b')?.state).toBe('dead')
      expect(events(m).map((e) => e.type)).toEqual(['dead'])
    }
  })
})

describe('memory bounds', () => {
  it('forgets dead members and tombstones after deadRetentionMs', () => {
    const a = node('a', [], { deadRetentionMs: 10_000 })
    knows(a, ['b'])
    a.handleMessage('b', ping([alive('x', 1)]), 0)
    a.handleMessage('x', ping([{ peerId: 'x', incarnation: 1, state: 'dead' }]), 100)
    // A death of a member we never knew leaves no tombstone: anyone could send thousands.
    a.handleMessage('b', ping([{ peerId: 'ghost', incarnation: 9, state: 'dead' }]), 200)
    expect(a.stats().dead).toBe(1)
    // Old alive news cannot bring the dead back while remembered.
    a.handleMessage('b', ping([alive('x', 1)]), 300)
    expect(a.members().map((m) => m.peerId)).toEqual(['a', 'b'])
    a.handleTimeout(10_250)
    expect(a.member('x')).toBeUndefined()
    expect(a.stats()).toMatchObject({ dead: 0, live: 2 })
  })

  it('caps pending relays and drains the gossip queue', () => {
    const a = node('a', [], { maxRelays: 16 })
    knows(a, ['b', ...Array.from({ length: 7 }, (_, i) => `r${i}`)])
    for (let i = 0; i < 100; i++) a.handleMessage('b', ping([alive(`m${i}`, 1)]), 0)
    for (let i = 0; i < 1000; i++)
      a.handleMessage(`r${i % 7}`, { kind: 'ping-req', seq: i, target: `m${i % 100}`, updates: [] }, 1)
    expect(a.stats().relays).toBe(16)
    a.handleTimeout(1001)
    expect(a.stats().relays).toBe(0)
    // Each item of news is sent lambda*ceil(log2(N+1)) = 3*7 times, then dropped.
    for (let i = 0; i < 400; i++) a.handleMessage(i % 2 ? 'b' : 'r0', ping([], i), 2000 + i)
    expect(a.stats().gossipQueue).toBe(0)
  })
})

describe('options', () => {
  it('refuses settings the protocol cannot run with', () => {
    expect(() => node('a', [], { probeTimeoutMs: 1000 })).toThrow(MembershipOptionsError)
    expect(() => node('a', [], { suspicionTimeoutMs: -1 })).toThrow(MembershipOptionsError)
    expect(() => node('a', [], { syncMaxUpdates: 0 })).toThrow(MembershipOptionsError)
    expect(() => node('a', [], { syncIntervalMs: 0 })).not.toThrow()
  })
})
