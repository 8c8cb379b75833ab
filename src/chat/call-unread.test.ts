/**
 * A call the callee took part in is not an unread message on the callee's
 * device; a missed call is (issue 17: the calls engineer found every call
 * event counted unread). On real SQLite files, the caller's device handing the
 * callee's the bytes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ChatKind } from '../wire/chat.js'
import { ChatFixtures, deliver, type Dev } from './hostile.fixtures.js'

let fx: ChatFixtures
let alice: Dev, bob: Dev

beforeAll(async () => {
  ;({ fx, alice, bob } = await ChatFixtures.contacts())
})

afterAll(() => fx.remove())

const call = (what: string) =>
  alice.chat.record(
    ChatKind.CALL_EVENT,
    'bob',
    JSON.stringify({ call: what, what, durationMs: 5_000, kind: 'audio' }),
  )

it('counts a missed call as unread on the callee, and not one that was answered, declined or ended', () => {
  for (const what of ['answered', 'declined', 'ended']) call(what)
  deliver(alice, bob, 'bob')
  expect(bob.chat.store.unread('alice', 'bob')).toHaveLength(0)
  call('missed')
  deliver(alice, bob, 'bob')
  expect(
    bob.chat.store.unread('alice', 'bob').map((m) => (JSON.parse(m.text) as { what: string }).what),
  ).toEqual(['missed'])
  // Something unreadable is shown as a call of unknown outcome, and counted, so it is seen.
  alice.chat.record(ChatKind.CALL_EVENT, 'bob', 'not json')
  deliver(alice, bob, 'bob')
  expect(bob.chat.store.unread('alice', 'bob')).toHaveLength(2)
  // The caller's own entries are never unread.
  expect(alice.chat.store.unread('bob', 'alice')).toHaveLength(0)
})
