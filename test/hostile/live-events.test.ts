/**
 * Issue 10, L1 on real processes: live events (presence, typing, call
 * signals) were not checked for freshness or replay, so one PRESENCE from a
 * contact with `sentAt` a year ahead froze that contact's presence on the
 * victim's device: every later, honest update looked older and was dropped.
 * Here the far-future event is refused with a stable code, logged once, the
 * honest update shows, and a replayed live event is refused too.
 */
import { describe, expect, it } from 'vitest'
import { ChatKind } from '../../src/wire/chat.js'
import { ErrorCode } from '../../src/wire/error-codes.js'
import { PresenceStatus } from '../../src/wire/generated/parley.js'
import { api } from '../support/chat.js'
import { eventually } from '../support/devnet.js'
import { hostileChatPeer } from './chat-peer.js'
import { useHostileChatNet } from './chat-net.js'

const YEAR = 365 * 86_400_000
const chat = useHostileChatNet(['alice', 'bob', 'dave'], ['alice', 'bob'])

const shown = async (peer: string) => {
  const r = await chat.parley('alice', 'contacts')
  return r.stdout.split('\n').find((l) => l.startsWith(`${peer} `))
}

describe('a contact pushes live events from the future, and replays them (L1)', () => {
  it('a presence a year ahead is refused and does not freeze the next one', async () => {
    const dave = await hostileChatPeer(chat.net, 'dave', 'alice', 'bob')
    try {
      // Dave asks, alice accepts: he is a contact, whose presence alice shows.
      await dave.push([dave.event({ kind: ChatKind.CONTACT_REQUEST, text: 'dave here' }).bytes])
      await eventually(async () => {
        const r = await api<{ requests: { username: string }[] }>(chat.net.home, 'alice', '/v1/chat/requests')
        return r.requests.some((x) => x.username === 'dave') || undefined
      }, 30_000)
      expect((await chat.parley('alice', 'accept', 'dave')).code).toBe(0)

      const future = () =>
        dave.event({ kind: ChatKind.PRESENCE, status: PresenceStatus.AWAY, sentAt: Date.now() + YEAR })
      const stale = [await dave.push([future().bytes]), await dave.push([future().bytes])]

      // What the user notices: dave's real status still shows.
      await eventually(async () => {
        await dave.push([
          dave.event({ kind: ChatKind.PRESENCE, status: PresenceStatus.DO_NOT_DISTURB }).bytes,
        ])
        const line = await shown('dave')
        if (line?.includes('dnd') !== true) throw new Error(`alice's contacts show "${line}"`)
        return true
      }, 20_000)

      // A live event taken once is refused when it comes again.
      const typing = dave.event({ kind: ChatKind.TYPING })
      const first = await dave.push([typing.bytes])
      const replay = await dave.push([typing.bytes])

      expect(stale.map((a) => a.code)).toEqual([ErrorCode.StaleEvent, ErrorCode.StaleEvent])
      expect(stale.map((a) => [a.committed.length, a.refused.length])).toEqual([
        [0, 1],
        [0, 1],
      ])
      expect([first.code, first.committed.length]).toEqual(['', 1])
      expect([replay.code, replay.committed.length, replay.refused.length]).toEqual([
        ErrorCode.ReplayedEvent,
        0,
        1,
      ])
      await eventually(
        () => Promise.resolve(chat.logLines('alice', ErrorCode.StaleEvent).length > 0 || undefined),
        10_000,
      )
      expect(chat.logLines('alice', ErrorCode.StaleEvent)).toHaveLength(1)
    } finally {
      await dave.stop()
    }
  })
})
