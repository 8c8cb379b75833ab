/**
 * The chat core decides at the time it is given (issue 12 §1), never the
 * wall clock: each device here runs on a virtual clock days away from
 * Date.now(), so any decision taken on the wall clock shows. Likewise its
 * event ids come from the random source it is given.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatKind } from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import { ChatError } from './chat.js'
import { observeCeiling } from './clock.js'
import { befriend, ChatFixtures, crafted, deliver, type Dev } from './hostile.fixtures.js'

const DAY = 86_400_000
let fx: ChatFixtures

/** A clock the test moves by hand. */
function clockAt(at: number): { at: number; now(): number } {
  const c = { at, now: () => c.at }
  return c
}

beforeAll(async () => {
  fx = await ChatFixtures.create()
})

afterAll(() => fx.remove())

/** Alice and bob as accepted contacts, both on `clock`. */
async function contacts(clock: { now(): number }, validForMs = DAY): Promise<{ alice: Dev; bob: Dev }> {
  const tag = String(clock.now())
  const alice = await fx.device('alice', `alice-${tag}`, { clock, validForMs })
  const bob = await fx.device('bob', `bob-${tag}`, { clock, validForMs })
  befriend(alice, bob, 'hi')
  return { alice, bob }
}

describe('the chat core on a virtual clock', () => {
  it('a message sent at the virtual time carries that time and is due for delivery then', async () => {
    const clock = clockAt(Date.now() - 30 * DAY)
    const { alice, bob } = await contacts(clock)
    const sent = alice.chat.send('bob', 'a month ago')
    expect(sent.sentAt).toBe(clock.at)
    // Delivery asks the outbox what is due at its own (virtual) time.
    const due = alice.chat.store.outbox.due('bob', clock.at + 1, 100)
    expect(due.map((e) => Buffer.from(e.id).toString('hex'))).toContain(sent.id)
    deliver(alice, bob, 'bob')
    expect(bob.chat.store.conversation('alice').map((m) => [m.text, m.sentAt])).toEqual([
      ['a month ago', clock.at],
    ])
  })

  it('our own certificate expires at the virtual time: a send after it is refused', async () => {
    const clock = clockAt(Date.now() + 30 * DAY)
    const { alice } = await contacts(clock, 3_600_000)
    alice.chat.send('bob', 'within the hour')
    clock.at += 2 * 3_600_000
    let err: unknown
    try {
      alice.chat.send('bob', 'after expiry')
    } catch (e) {
      err = e
    }
    expect(err).toMatchObject({ code: ErrorCode.CertificateExpired })
    expect(err).not.toBeInstanceOf(ChatError)
    expect(alice.chat.store.conversation('bob').map((m) => m.text)).toEqual(['within the hour'])
  })

  it('accepting a stranger sorts our answer after what they sent, at the virtual time', async () => {
    // A month ahead of the wall clock: their Lamport time is above the wall clock's ceiling, within ours.
    const clock = clockAt(Date.now() + 30 * DAY)
    const bob = await fx.device('bob', `bob-accept-${clock.at}`, { clock })
    const eve = await fx.device('eve', `eve-accept-${clock.at}`, { clock })
    const high = observeCeiling(clock.at) - 1_000
    expect(high).toBeGreaterThan(observeCeiling(Date.now()))
    expect(
      bob.chat.receive([crafted(eve, 'bob', ChatKind.TEXT, { lamport: high, text: 'hello?' })]).refused,
    ).toEqual([])
    bob.chat.accept('eve')
    bob.chat.send('eve', 'hi eve')
    expect(bob.chat.store.conversation('eve').map((m) => m.text)).toEqual(['hello?', 'hi eve'])
  })
})

/** A seeded source: byte i of the stream is (seed + i) mod 256, so each draw is known in advance. */
function counting(seed: number): (length: number) => Uint8Array {
  let next = seed
  return (length) => Uint8Array.from({ length }, () => next++ & 0xff)
}

describe('the chat core on a seeded random source', () => {
  it('draws its event ids from the source it is given, in order', async () => {
    const clock = clockAt(Date.now())
    const alice = await fx.device('alice', `alice-seeded-${clock.at}`, { clock, random: counting(0x40) })
    const bob = await fx.device('bob', `bob-seeded-${clock.at}`, { clock })
    alice.chat.addContact('bob', 'hi')
    const request = alice.chat.store.outbox.due('bob', clock.at + 1, 100).map((e) => e.id)
    expect(request.map((id) => Buffer.from(id).toString('hex'))).toEqual(['404142434445464748494a4b4c4d4e4f'])
    deliver(alice, bob, 'bob')
    bob.chat.accept('alice')
    deliver(bob, alice, 'alice')
    const sent = alice.chat.send('bob', 'a known id')
    expect(sent.id).toBe('505152535455565758595a5b5c5d5e5f')
    deliver(alice, bob, 'bob')
    expect(bob.chat.store.conversation('alice').map((m) => [m.id, m.text])).toEqual([
      ['505152535455565758595a5b5c5d5e5f', 'a known id'],
    ])
  })
})
