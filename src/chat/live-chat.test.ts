/**
 * The chat core against stale and replayed live events (issue 10, L1), on
 * real SQLite files: a far-future presence is refused and cannot freeze a
 * contact's presence, a replay is refused once seen, and typing and call
 * signals are announced only while fresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatKind } from '../wire/chat.js'
import { ErrorCode } from '../wire/error-codes.js'
import { PresenceStatus } from '../wire/generated/parley.js'
import { ChatFixtures, crafted, type Dev } from './hostile.fixtures.js'
import { LIVE_WINDOW_MS } from './live.js'

const YEAR = 365 * 86_400_000
let fx: ChatFixtures
let alice: Dev, bob: Dev

const presence = () => alice.chat.store.contact('bob')?.presence
const codes = (d: Dev) => d.refusals.map((r) => r.code)

beforeAll(async () => ({ fx, alice, bob } = await ChatFixtures.contacts()))

afterAll(() => fx.remove())

describe('live events from a contact', () => {
  it('a presence a year ahead is refused and does not freeze the next one', () => {
    const future = crafted(bob, 'alice', ChatKind.PRESENCE, {
      status: PresenceStatus.AWAY,
      sentAt: Date.now() + YEAR,
    })
    const r = alice.chat.receive([future])
    expect(r.applied).toEqual([])
    expect(r.refused).toHaveLength(1)
    expect(codes(alice)).toEqual([ErrorCode.StaleEvent])
    alice.chat.receive([crafted(bob, 'alice', ChatKind.PRESENCE, { status: PresenceStatus.ONLINE })])
    expect(presence()).toBe('online')
  })

  it('a presence ahead within the window applies, and a later one still wins', () => {
    const ahead = Date.now() + LIVE_WINDOW_MS - 1000
    alice.chat.receive([
      crafted(bob, 'alice', ChatKind.PRESENCE, { status: PresenceStatus.DO_NOT_DISTURB, sentAt: ahead }),
    ])
    expect(presence()).toBe('dnd')
    alice.chat.receive([crafted(bob, 'alice', ChatKind.PRESENCE, { status: PresenceStatus.AWAY })])
    expect(presence()).toBe('away')
  })

  it('a replayed presence is refused once it was taken', () => {
    const online = crafted(bob, 'alice', ChatKind.PRESENCE, { status: PresenceStatus.ONLINE })
    expect(alice.chat.receive([online]).applied).toHaveLength(1)
    alice.chat.receive([crafted(bob, 'alice', ChatKind.PRESENCE, { status: PresenceStatus.AWAY })])
    const again = alice.chat.receive([online])
    expect(again.applied).toEqual([])
    expect(again.refusals.map((x) => x.code)).toEqual([ErrorCode.ReplayedEvent])
    expect(presence()).toBe('away')
  })

  it('typing and call signals are announced only while fresh, and once', () => {
    alice.notices.length = 0
    const typing = crafted(bob, 'alice', ChatKind.TYPING)
    alice.chat.receive([typing, typing])
    alice.chat.receive([
      crafted(bob, 'alice', ChatKind.TYPING, { sentAt: Date.now() - LIVE_WINDOW_MS - 1000 }),
    ])
    alice.chat.receive([
      crafted(bob, 'alice', ChatKind.CALL_SIGNAL, { text: '{}', sentAt: Date.now() + YEAR }),
    ])
    expect(alice.notices.map((n) => n.type)).toEqual(['typing'])
  })
})
