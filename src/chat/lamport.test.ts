/**
 * The chat core against a poisoned Lamport time (issue 10, H1), on real
 * SQLite files: a stranger's event at 2^53−1 is refused with a stable code
 * and moves nothing, strangers never move the clock, a contact moves it at
 * most to its ceiling, and a store poisoned by an older version is repaired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatKind } from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import { acceptCeiling, observeCeiling } from './clock.js'
import { ChatFixtures, crafted as craftedEvent, deliver, type Dev } from './hostile.fixtures.js'

const MAX = Number.MAX_SAFE_INTEGER
let fx: ChatFixtures

const crafted = (from: Dev, to: string, kind: ChatKind, lamport: number, text = '') =>
  craftedEvent(from, to, kind, { lamport, text })
const clock = (d: Dev) => d.chat.store.clock.value()

let alice: Dev, bob: Dev, mallory: Dev, eve: Dev

beforeAll(async () => {
  fx = await ChatFixtures.create()
  alice = await fx.device('alice')
  bob = await fx.device('bob')
  mallory = await fx.device('mallory')
  eve = await fx.device('eve')
})

afterAll(() => fx.remove())

describe('a poisoned Lamport time', () => {
  it("a stranger's TEXT at 2^53−1 is refused with a stable code and changes nothing", () => {
    const before = clock(alice)
    const poison = crafted(mallory, 'alice', ChatKind.TEXT, MAX, 'hi')
    const r = alice.chat.receive([poison])
    expect(r.committed).toEqual([])
    expect(r.refused.map((id) => Buffer.from(id).toString('hex'))).toEqual([
      Buffer.from(alice.chat.idOf(poison)).toString('hex'),
    ])
    expect(alice.refusals).toEqual([
      expect.objectContaining({ code: ErrorCode.LamportTooFar, from: 'mallory' }),
    ])
    expect(clock(alice)).toBe(before)
    expect(alice.chat.store.contact('mallory')).toBeUndefined()
  })

  it('after it the victim still adds, accepts and sends, and the contact takes every event', () => {
    alice.chat.addContact('bob', 'hi')
    deliver(alice, bob, 'bob')
    bob.chat.accept('alice')
    expect(deliver(bob, alice, 'alice').refused).toEqual([])
    alice.chat.send('bob', 'still here')
    const r = deliver(alice, bob, 'bob')
    expect(r.refused).toEqual([])
    expect(bob.chat.store.conversation('alice').map((m) => m.text)).toContain('still here')
  })

  it("a stranger's acceptable Lamport time is held but moves the clock only when accepted", () => {
    const before = clock(alice)
    const high = before + 1_000_000
    alice.chat.receive([crafted(eve, 'alice', ChatKind.TEXT, high, 'hello from eve')])
    expect(alice.chat.store.contact('eve')?.state).toBe('pending')
    expect(clock(alice)).toBe(before)
    alice.chat.accept('eve')
    // Our answer sorts after what they sent while they were a stranger.
    expect(clock(alice)).toBe(high + 1)
  })

  it("a blocked user's Lamport time is never observed", () => {
    alice.chat.block('mallory')
    const before = clock(alice)
    alice.chat.receive([crafted(mallory, 'alice', ChatKind.TEXT, before + 5_000, 'let me in')])
    expect(clock(alice)).toBe(before)
  })

  it("a contact moves the clock at most to the observe ceiling, and the victim's events are still accepted", () => {
    const now = Date.now()
    const r = alice.chat.receive([crafted(bob, 'alice', ChatKind.TEXT, acceptCeiling(now) - 1, 'far')])
    expect(r.refused).toEqual([])
    expect(clock(alice)).toBeLessThanOrEqual(observeCeiling(Date.now()))
    expect(clock(alice)).toBeGreaterThanOrEqual(observeCeiling(now))
    alice.chat.send('bob', 'after the jump')
    expect(deliver(alice, bob, 'bob').refused).toEqual([])
  })
})

describe('a store poisoned by an older version', () => {
  it('is repaired at start to the highest sound message, and its events are accepted again', () => {
    const store = alice.chat.store
    const now = Date.now()
    const sound = store.highestLamport(observeCeiling(now))
    store.setMeta('lamport', String(MAX))
    // Unrepaired, a tick saturates (nothing throws), but no peer would accept it.
    expect(store.clock.tick()).toBe(MAX)
    expect(store.clock.repair(now)).toEqual({ from: String(MAX), to: sound })
    alice.chat.send('bob', 'repaired')
    const r = deliver(alice, bob, 'bob')
    expect(r.refused).toEqual([])
    expect(bob.chat.store.conversation('alice').map((m) => m.text)).toContain('repaired')
    expect(store.clock.repair(Date.now())).toBeUndefined()
  })
})
