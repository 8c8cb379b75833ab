/**
 * What one received push writes once rather than per event (issue 12 §2):
 * the Lamport clock, and the meta and contact rows the store remembers
 * between statements. On real SQLite files: the order every device shows
 * and every message must come out as before, and nothing remembered may
 * outlive a rollback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatFixtures, deliver, outbox, type Dev } from './hostile.fixtures.js'

let fx: ChatFixtures
let alice: Dev, bob: Dev

beforeAll(async () => {
  ;({ fx, alice, bob } = await ChatFixtures.contacts())
})

afterAll(() => fx.remove())

/** The clock as the file holds it, read past anything the store remembers. */
const storedClock = (d: Dev): number =>
  Number(
    (d.chat.store.db.prepare("SELECT value FROM meta WHERE key = 'lamport'").get() as { value: string })
      .value,
  )

describe('a push of many events', () => {
  it('moves the clock once, to the highest it holds, so a reply sorts after every one of them', () => {
    const texts = Array.from({ length: 12 }, (_, i) => `burst ${i}`)
    for (const t of texts) alice.chat.send('bob', t)
    // With the contact request before them: the test's outbox is never drained.
    const pushed = outbox(alice, 'bob')
    expect(pushed.length).toBeGreaterThan(12)
    expect(bob.chat.receive(pushed).committed).toHaveLength(pushed.length)
    const highest = Math.max(...bob.chat.store.conversation('alice').map((m) => m.lamport))
    expect(storedClock(bob)).toBe(highest)
    bob.chat.send('alice', 'after the burst')
    expect(bob.chat.store.conversation('alice').map((m) => m.text)).toEqual([...texts, 'after the burst'])
    // The same push again: nothing doubled, the order unchanged.
    expect(bob.chat.receive(pushed).committed).toHaveLength(pushed.length)
    deliver(bob, alice, 'alice')
    expect(alice.chat.store.conversation('bob').map((m) => m.text)).toEqual([...texts, 'after the burst'])
    expect(bob.chat.store.conversation('alice').map((m) => m.text)).toEqual([...texts, 'after the burst'])
  })
})

describe('rows the store remembers', () => {
  it('forgets a contact and a meta value that a rolled-back action wrote and read', () => {
    const store = bob.chat.store
    expect(() =>
      store.group(() => {
        store.setContact('mallory', 'accepted', 1)
        store.setMeta('status', 'dnd')
        expect(store.contact('mallory')?.state).toBe('accepted')
        expect(store.getMeta('status')).toBe('dnd')
        throw new Error('the action fails')
      }),
    ).toThrow('the action fails')
    expect(store.contact('mallory')).toBeUndefined()
    expect(store.getMeta('status')).toBeUndefined()
  })

  it('gives a copy: changing a contact row read from the store changes nothing stored', () => {
    const row = bob.chat.store.contact('alice')!
    row.state = 'blocked'
    expect(bob.chat.store.contact('alice')?.state).toBe('accepted')
    bob.chat.send('alice', 'still a contact')
  })
})
