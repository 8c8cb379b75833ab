/**
 * A push of call signals only touches no table (chat.ts), so it leaves the
 * outbox nothing to do: the receiving side must not start a delivery round
 * for it, on the answer's path (issue 12 §4). A push with a message does.
 * Real SQLite stores; the libp2p side is not involved in handle().
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Libp2p } from '@libp2p/interface'
import { ChatPush } from '../wire/chat.js'
import { silentLogger } from '../log/logger.js'
import { ChatFixtures, outbox, type Dev } from './hostile.fixtures.js'
import { PushHandler } from './push.js'

let fx: ChatFixtures
let alice: Dev, bob: Dev

beforeAll(async () => ({ fx, alice, bob } = await ChatFixtures.contacts()))

afterAll(() => fx.remove())

/** A push's bytes, as the sending side encodes them (push.ts). */
const pushOf = (events: Uint8Array[]) => ChatPush.encode({ events: events.map((e) => new Uint8Array(e)) })

const answer = (call: string) => JSON.stringify({ call, type: 'answer', sdp: { type: 'answer', sdp: 'v=0' } })

function handler(): { handler: PushHandler; rounds: () => number } {
  let rounds = 0
  const handler = new PushHandler({
    node: undefined as unknown as Libp2p,
    chat: bob.chat,
    applied: () => undefined,
    committed: () => rounds++,
    log: silentLogger(),
  })
  return { handler, rounds: () => rounds }
}

describe('the receiving side of a push', () => {
  it('starts no outbox round for a push of call signals only', () => {
    const h = handler()
    h.handler.handle(pushOf([alice.chat.signal('bob', answer('c1'))]))
    expect(bob.notices.some((n) => n.type === 'call-signal')).toBe(true)
    expect(h.rounds()).toBe(0)
  })

  it('starts one for a push with a message in it', () => {
    const h = handler()
    alice.chat.send('bob', 'hello')
    const events = [alice.chat.signal('bob', answer('c2')), ...outbox(alice, 'bob')]
    h.handler.handle(pushOf(events))
    expect(bob.chat.store.conversation('alice', 10).map((m) => m.text)).toContain('hello')
    expect(h.rounds()).toBe(1)
  })
})
