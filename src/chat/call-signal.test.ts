/**
 * Call signals never wait on the store (issue 12 §4): they are never stored,
 * so signing one and hearing one touch no table. On real SQLite files, with
 * another connection holding a store's write lock (a long commit, a backup):
 * a ring is still signed and still heard at once, where a message waits.
 */
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hex } from './chat.js'
import { ChatFixtures, type Dev } from './hostile.fixtures.js'

let fx: ChatFixtures
let alice: Dev, bob: Dev

beforeAll(async () => ({ fx, alice, bob } = await ChatFixtures.contacts()))

afterAll(() => fx.remove())

/** Runs `fn` while another connection holds `d`'s store's write lock. */
function whileLocked<T>(d: Dev, fn: () => T): T {
  d.chat.store.flush()
  const other = new Database(d.chat.store.db.name)
  other.exec('BEGIN IMMEDIATE')
  try {
    return fn()
  } finally {
    other.exec('ROLLBACK')
    other.close()
  }
}

const ring = (call: string) => JSON.stringify({ call, type: 'ring', sdp: { type: 'offer', sdp: 'v=0' } })
const heard = (d: Dev) => d.notices.flatMap((n) => (n.type === 'call-signal' ? [n.payload] : []))

describe('call signals and a busy store', () => {
  it("the caller's device signs a ring while its store is locked", () => {
    const event = whileLocked(alice, () => alice.chat.signal('bob', ring('c1')))
    expect(bob.chat.receive([event]).committed).toHaveLength(1)
    expect(heard(bob)).toEqual([ring('c1')])
  })

  it("the callee's device hears a ring while its store is locked, and a push with a message still commits", () => {
    const event = alice.chat.signal('bob', ring('c2'))
    const took = whileLocked(bob, () => bob.chat.receive([event]))
    expect(took.committed).toHaveLength(1)
    expect(heard(bob)).toEqual([ring('c1'), ring('c2')])

    // A signal beside a stored event goes the usual way, in one transaction with it.
    const message = alice.chat.send('bob', 'are you there?')
    const signal = alice.chat.signal('bob', ring('c3'))
    const committed = bob.chat.receive([signal, ...deliverable(alice)]).committed.map((id) => hex(id))
    expect(committed).toEqual(expect.arrayContaining([hex(alice.chat.idOf(signal)), message.id]))
    expect(bob.chat.store.conversation('alice', 10).map((m) => m.text)).toContain('are you there?')
    expect(heard(bob)).toEqual([ring('c1'), ring('c2'), ring('c3')])
  })
})

/** What alice's outbox holds for bob, signed (what delivery would push). */
function deliverable(from: Dev): Uint8Array[] {
  from.chat.store.flush()
  return from.chat.store.outbox.due('bob', from.chat.verifyOptionsNow().now + 1, 10).map((e) => e.bytes)
}
