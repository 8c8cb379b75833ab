/**
 * Issue 10, H1 on real processes: a stranger pushes one signed TEXT with
 * lamport = 2^53−1 to the victim's device. Before the fix it was committed,
 * the clock kept it in chat.sqlite, and every later `parley add` or `accept`
 * of the victim ended in "unexpected failure: Unexpected end of JSON input",
 * also after a restart. Here the push is refused with a stable code and logged
 * once, and the victim adds, accepts and sends as before, also after a
 * restart; a store an older version poisoned is repaired at start.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { ChatAck } from '../../src/wire/chat.js'
import { ErrorCode } from '../../src/wire/error-codes.js'
import { api } from '../support/chat.js'
import { eventually } from '../support/devnet.js'
import { hostileChatPeer } from './chat-peer.js'
import { useHostileChatNet } from './chat-net.js'

const POISON = Number.MAX_SAFE_INTEGER
const chat = useHostileChatNet(['alice', 'bob', 'carol', 'mallory'], ['alice', 'bob'])
const { parley, logLines, arrives } = chat
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('a poisoned Lamport time from a stranger (H1)', () => {
  it('is refused with a stable code, logged once, and the victim still adds, accepts and sends', async () => {
    const mallory = await hostileChatPeer(chat.net, 'mallory', 'alice', 'bob')
    const poison = mallory.event({ lamport: POISON, text: 'hi, add me' })
    const acks: ChatAck[] = []
    try {
      acks.push(await mallory.push([poison.bytes]))
      // The same attacker again, twice (what a flood looks like): still one log line.
      for (let i = 1; i <= 2; i++)
        acks.push(await mallory.push([mallory.event({ lamport: POISON - i, text: 'again' }).bytes]))
    } finally {
      await mallory.stop()
    }

    // What the user notices: nothing. A contact asks, the victim accepts, adds and sends.
    const bobAsks = await parley('bob', 'add', 'alice', 'hello alice')
    expect(bobAsks.stderr).toBe('')
    await eventually(async () => {
      const r = await api<{ requests: { username: string }[] }>(chat.net.home, 'alice', '/v1/chat/requests')
      return r.requests.some((x) => x.username === 'bob') || undefined
    }, 30_000)
    const accept = await parley('alice', 'accept', 'bob')
    expect(accept.stderr).toBe('')
    expect(accept.code).toBe(0)
    const add = await parley('alice', 'add', 'carol', 'hi carol')
    expect(add.stderr).toBe('')
    expect(add.stdout).toContain('contact request sent to carol')
    const sent = await parley('alice', 'send', 'bob', 'still', 'talking')
    expect(sent.stderr).toBe('')
    await arrives('bob', 'alice', 'still talking')
    expect((await parley('bob', 'send', 'alice', 'heard you')).code).toBe(0)
    await arrives('alice', 'bob', 'heard you')
    // The stranger is not even a request.
    const requests = await api<{ requests: { username: string }[] }>(
      chat.net.home,
      'alice',
      '/v1/chat/requests',
    )
    expect(requests.requests.map((r) => r.username)).not.toContain('mallory')

    // The attacker was told why, with a stable code, and that it is refused for good (an
    // honest sender would not retry it); the victim's log names it once.
    expect(acks.map((a) => a.code)).toEqual(Array(3).fill(ErrorCode.LamportTooFar))
    expect(acks.map((a) => a.committed.length)).toEqual([0, 0, 0])
    expect(acks[0]!.refused.map(hex)).toEqual([hex(poison.id)])
    expect(acks.map((a) => a.refused.length)).toEqual([1, 1, 1])
    await eventually(
      () => Promise.resolve(logLines('alice', ErrorCode.LamportTooFar).length > 0 || undefined),
      10_000,
    )
    expect(logLines('alice', ErrorCode.LamportTooFar)).toHaveLength(1)
  })

  it('the victim still sends after a restart, and the messages arrive', async () => {
    await chat.stop('alice')
    await chat.start('alice')
    const sent = await parley('alice', 'send', 'bob', 'after', 'the', 'restart')
    expect(sent.stderr).toBe('')
    await arrives('bob', 'alice', 'after the restart')
  })
})

describe('a store poisoned by an older version (H1)', () => {
  it('is repaired at start with one log line, and its messages are accepted again', async () => {
    await chat.stop('alice')
    const db = new Database(join(chat.net.home, 'profiles', 'alice', 'chat.sqlite'))
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('lamport', ?)").run(String(POISON))
    db.close()
    await chat.start('alice')
    await eventually(
      () => Promise.resolve(logLines('alice', 'chat clock was poisoned').length > 0 || undefined),
      10_000,
    )
    expect(logLines('alice', 'chat clock was poisoned')).toHaveLength(1)
    const sent = await parley('alice', 'send', 'bob', 'repaired', 'clock')
    expect(sent.stderr).toBe('')
    // Bob refuses any Lamport time past his ceiling: the message arriving proves the repair.
    await arrives('bob', 'alice', 'repaired clock')
  })
})
